"""The production baseline of DM2S2 Table 4: gradient-boosted trees (LightGBM) on the same records as the neural
models, for any task, reporting the same metrics under the same names (through the config's task head).

Features of a record, from the reader's rendered modality texts (``metadata["modality_texts"]``):
  * a NUMERIC modality -- one whose every present value in the training data parses as a number (year, length,
    budget, a face count, a Lighthouse score) -- is one column holding that number (missing = NaN, which LightGBM
    routes on its own);
  * every other modality is a hashed bag of words (``n_features`` buckets per modality, counts, lower-cased words),
    so the same word in two modalities is two different features. Words are ``\\w+`` runs, except in text with
    Japanese script, which has no spaces between words: it is segmented by MeCab (``fugashi`` with the
    ``unidic-lite`` dictionary, what the Ad-LP encoder's tokenizer uses), so an ad title is its words and not one
    token -- "the same input features" DM2S2 Table 4's LightGBM had.

Models: ``multilabel`` one binary booster per class (a class without a positive training record predicts 0);
``classification`` one binary or multiclass booster; ``regression`` an L2 booster. Each stops early on the
validation data (``early_stopping_rounds`` without improvement of the validation loss); the test data is only
evaluated, never looked at during training.
"""
import json
import logging
import math
import os
import re
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from allennlp.common import Params
from allennlp.data import DatasetReader, Instance, Vocabulary

from dm2s2_allennlp.heads import TaskHead
from dm2s2_allennlp.metrics.defined import defined_only
from dm2s2_allennlp.models import legacy_config

logger = logging.getLogger(__name__)


def _number(text: Optional[str]) -> Optional[float]:
    if text is None:
        return None
    try:
        value = float(text.replace(",", "")) if text.strip() else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
WORD = re.compile(r"\w+")
_TAGGER = []


def words(text: str) -> List[str]:
    """Lower-cased words of ``text``: MeCab's segmentation where it has Japanese script, ``\\w+`` runs elsewhere."""
    if JAPANESE.search(text):
        if not _TAGGER:
            import fugashi

            _TAGGER.append(fugashi.Tagger())
        return [w.surface.lower() for w in _TAGGER[0](text) if WORD.search(w.surface)]
    return WORD.findall(text.lower())


class RecordFeatures:
    """Hashed bag of words per text modality + the numeric modalities as numbers (module docstring)."""

    def __init__(self, modalities: Sequence[str], n_features: int = 4096) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.modalities = list(modalities)
        self.numeric: List[str] = []
        self.vectorizer = HashingVectorizer(n_features=n_features, alternate_sign=False, norm=None,
                                            analyzer=words)

    def fit(self, texts: Sequence[Dict[str, Optional[str]]]) -> "RecordFeatures":
        self.numeric = []
        for name in self.modalities:
            values = [t.get(name) for t in texts if t.get(name) is not None]
            if values and all(_number(v) is not None for v in values):
                self.numeric.append(name)
        logger.info("LightGBM features: numeric %s, hashed bag of words %s", self.numeric,
                    [m for m in self.modalities if m not in self.numeric])
        return self

    def transform(self, texts: Sequence[Dict[str, Optional[str]]]):
        from scipy import sparse

        blocks = [self.vectorizer.transform([t.get(name) or "" for t in texts])
                  for name in self.modalities if name not in self.numeric]
        if self.numeric:
            numbers = np.array([[_number(t.get(name)) if t.get(name) is not None else np.nan for name in self.numeric]
                                for t in texts], dtype=np.float64)
            blocks.append(sparse.csr_matrix(numbers))  # NaN stays an explicit entry: LightGBM reads it as missing
        return sparse.hstack(blocks).tocsr().astype(np.float32)


def _boost(objective: Dict[str, Any], x_train, y_train, x_valid, y_valid, seed: int, rounds: int,
           early_stopping_rounds: int, extra: Dict[str, Any]):
    import lightgbm

    params = {"learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 10, "feature_fraction": 0.9,
              "verbosity": -1, "seed": seed, "deterministic": True, "force_row_wise": True, **objective, **extra}
    train_set = lightgbm.Dataset(x_train, label=y_train)
    valid_set = lightgbm.Dataset(x_valid, label=y_valid, reference=train_set)
    return lightgbm.train(params, train_set, num_boost_round=rounds, valid_sets=[valid_set],
                          callbacks=[lightgbm.early_stopping(early_stopping_rounds, verbose=False)])


Fitted = Tuple[List[Any], Callable[[Any], np.ndarray]]


def _fit_regression(num_outputs: int, x_train, y_train, x_valid, y_valid, **kwargs) -> Fitted:
    booster = _boost({"objective": "regression"}, x_train, y_train, x_valid, y_valid, **kwargs)
    return [booster], lambda x: booster.predict(x, num_iteration=booster.best_iteration)


def _fit_single_label(num_outputs: int, x_train, y_train, x_valid, y_valid, **kwargs) -> Fitted:
    if num_outputs == 2:
        booster = _boost({"objective": "binary"}, x_train, y_train, x_valid, y_valid, **kwargs)

        def predict_binary(x):
            p = booster.predict(x, num_iteration=booster.best_iteration)
            return np.stack([1 - p, p], axis=1)
        return [booster], predict_binary
    booster = _boost({"objective": "multiclass", "num_class": num_outputs}, x_train, y_train, x_valid, y_valid,
                     **kwargs)
    return [booster], lambda x: booster.predict(x, num_iteration=booster.best_iteration)


def _fit_per_label(num_outputs: int, x_train, y_train, x_valid, y_valid, **kwargs) -> Fitted:
    boosters: List[Any] = []
    for k in range(num_outputs):
        if y_train[:, k].sum() == 0:
            boosters.append(None)  # never seen in training: always 0
            continue
        boosters.append(_boost({"objective": "binary"}, x_train, np.ascontiguousarray(y_train[:, k]), x_valid,
                               np.ascontiguousarray(y_valid[:, k]), **kwargs))

    def predict_multilabel(x):
        columns = [np.zeros(x.shape[0]) if b is None else b.predict(x, num_iteration=b.best_iteration)
                   for b in boosters]
        return np.stack(columns, axis=1)
    return boosters, predict_multilabel


# the boosting that fits each task head: one regression booster, one binary/multiclass booster, one per label
FITTERS = {"regression": _fit_regression, "classification": _fit_single_label, "multilabel": _fit_per_label}


def fit_lightgbm(task: str, num_outputs: int, x_train, y_train: np.ndarray, x_valid, y_valid: np.ndarray,
                 seed: int = 13, rounds: int = 1000, early_stopping_rounds: int = 50,
                 extra: Optional[Dict[str, Any]] = None) -> Fitted:
    """Train the task's booster(s); returns them and ``predict(x)`` -> probabilities (``(n, K)``) or values."""
    return FITTERS[task](num_outputs, x_train, y_train, x_valid, y_valid, seed=seed, rounds=rounds,
                         early_stopping_rounds=early_stopping_rounds, extra=extra or {})


def train_lightgbm(params: Params, serialization_dir: str, seed: Optional[int] = None, n_features: int = 4096,
                   rounds: int = 1000, early_stopping_rounds: int = 50) -> Dict[str, Any]:
    """Read the experiment config's data with its reader, train LightGBM, and write ``metrics.json`` in
    ``allennlp train``'s shape (``best_validation_<m>``, ``test_<m>`` when the config evaluates on test) plus the
    booster(s) under ``lightgbm/``."""
    os.makedirs(serialization_dir, exist_ok=True)
    with open(os.path.join(serialization_dir, "config.json"), "w", encoding="utf-8") as handle:
        json.dump(params.as_dict(quiet=True), handle, indent=2)
    model_params = legacy_config.upgrade(params.get("model").duplicate(), {})
    head_params = model_params.get("head")
    task = head_params.get("type")
    seed = seed if seed is not None else int(params.get("random_seed", 13))
    reader = DatasetReader.from_params(params.get("dataset_reader").duplicate())
    validation_reader = (DatasetReader.from_params(params.get("validation_dataset_reader").duplicate())
                         if "validation_dataset_reader" in params else reader)
    train = list(reader.read(params.get("train_data_path")))
    if "validation_data_path" not in params:
        raise ValueError("train-lightgbm needs validation_data_path (early stopping uses it)")
    valid = list(validation_reader.read(params.get("validation_data_path")))
    test_path = params.get("test_data_path", None) if params.get("evaluate_on_test", False) else None
    test = list(validation_reader.read(test_path)) if test_path else []
    vocab = Vocabulary.from_params(params.get("vocabulary", Params({})).duplicate(), instances=train)

    head = TaskHead.from_params(vocab=vocab, params=head_params.duplicate()).eval()
    modalities = train[0]["metadata"]["modality_names"]
    features = RecordFeatures(modalities, n_features).fit([i["metadata"]["modality_texts"] for i in train])

    def matrix(instances):
        return features.transform([i["metadata"]["modality_texts"] for i in instances])

    boosters, predict = fit_lightgbm(task, head.num_outputs, matrix(train), head.targets(train), matrix(valid),
                                     head.targets(valid), seed, rounds, early_stopping_rounds)

    result: Dict[str, Any] = {"lightgbm_seed": seed, "lightgbm_numeric_modalities": features.numeric,
                              "lightgbm_best_iterations": [b.best_iteration if b is not None else 0
                                                           for b in boosters]}
    warned: set = set()
    for split, instances in (("training", train), ("best_validation", valid), ("test", test)):
        if instances:
            scores = torch.tensor(predict(matrix(instances)), dtype=torch.float32)
            head.update_metrics(scores, torch.tensor(head.targets(instances)),
                                [i["metadata"] for i in instances])
            values = defined_only(head.get_metrics(reset=True), warned)
            result.update({f"{split}_{name}": value for name, value in values.items()})
    os.makedirs(os.path.join(serialization_dir, "lightgbm"), exist_ok=True)
    for k, booster in enumerate(boosters):
        if booster is not None:
            booster.save_model(os.path.join(serialization_dir, "lightgbm", f"booster_{k}.txt"))
    vocab.save_to_files(os.path.join(serialization_dir, "vocabulary"))
    with open(os.path.join(serialization_dir, "metrics.json"), "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)
    return result
