"""The production baseline of DM2S2 Table 4: gradient-boosted trees (LightGBM) on the same records as the neural
models, for any task, reporting the same metrics under the same names (through the config's task head).

Features: ``gbm.features`` (numeric modalities as numbers, the others as hashed bags of words per modality, Japanese
segmented by MeCab). Models: ``gbm.boosting`` (``multilabel`` one binary booster per class, a class without a positive
training record predicting 0; ``classification`` one binary or multiclass booster; ``regression`` an L2 booster),
each stopping early on the validation data (``early_stopping_rounds`` without improvement of the validation loss);
the test data is only evaluated, never looked at during training.
"""
import json
import logging
import os
from typing import Any, Dict, Optional

import torch
from allennlp.common import Params
from allennlp.data import DatasetReader, Vocabulary

from dm2s2_allennlp.gbm import RecordFeatures, fit_lightgbm, label_targets, predict_with
from dm2s2_allennlp.dataset_readers.reader_facts import settle
from dm2s2_allennlp.heads import TaskHead
from dm2s2_allennlp.heads.per_task import check_task
from dm2s2_allennlp.metrics.defined import defined_only

logger = logging.getLogger(__name__)


def train_lightgbm(params: Params, serialization_dir: str, seed: Optional[int] = None, n_features: int = 4096,
                   rounds: int = 1000, early_stopping_rounds: int = 50) -> Dict[str, Any]:
    """Read the experiment config's data with its reader, train LightGBM, and write ``metrics.json`` in
    ``allennlp train``'s shape (``best_validation_<m>``, ``test_<m>`` when the config evaluates on test) plus the
    booster(s) under ``lightgbm/``."""
    settle(params)  # the facts the reader infers, before any work; the config written below states them
    os.makedirs(serialization_dir, exist_ok=True)
    config = params.as_dict(quiet=True)
    head_params = params.get("model").duplicate().get("head", Params({"type": "per_task"}))
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
    with open(os.path.join(serialization_dir, "config.json"), "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)

    head = TaskHead.from_params(vocab=vocab, params=head_params.duplicate()).eval()  # per_task: the reader's task
    check_task(head, reader.task)
    task = head.task
    modalities = train[0]["metadata"]["modality_names"]
    features = RecordFeatures(modalities, n_features).fit([i["metadata"]["modality_texts"] for i in train])

    def matrix(instances):
        return features.transform([i["metadata"]["modality_texts"] for i in instances])

    names = getattr(head, "names", [])

    def targets(instances):
        return label_targets(instances, names)

    boosters = fit_lightgbm(task, head.num_outputs, matrix(train), targets(train), matrix(valid), targets(valid),
                            seed, rounds, early_stopping_rounds)

    result: Dict[str, Any] = {"lightgbm_seed": seed, "lightgbm_numeric_modalities": features.numeric,
                              "lightgbm_best_iterations": [b.best_iteration if b is not None else 0
                                                           for b in boosters]}
    warned: set = set()
    for split, instances in (("training", train), ("best_validation", valid), ("test", test)):
        if instances:
            scores = torch.tensor(predict_with(task, boosters, matrix(instances)), dtype=torch.float32)
            head.update_metrics(scores, torch.tensor(targets(instances)),
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
