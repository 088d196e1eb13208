"""A head's blend with tabular models: the stacked ensemble AutoGluon builds for multimodal tables, as one switch
(``blend_with_lightgbm: true`` on any model).

After training (the ``stack_and_tune`` callback, at the best epoch), three partners are fitted to the training
records' rendered modalities, each choosing what it can on the validation records:

  * LightGBM (``gbm.boosting``) on numbers as numbers and words hashed per modality (``gbm.features``), stopping
    early on the validation records;
  * a second LightGBM on the same features and the statistics of how each non-numeric modality is written (length,
    capitals, digits, symbols: ``gbm.text_statistics``);
  * a linear model (``gbm.linear``) on TF-IDF word and character n-grams of the whole record and the numbers, its
    regularisation chosen on the validation records;

and the final prediction becomes

    y = w_model * y_model + w_lightgbm * y_lightgbm + w_statistics * y_lightgbm_statistics + w_linear * y_linear

(probabilities, or values) with the weights on the simplex grid of step 0.05 (each in {0, 0.05, ..., 1}, summing to
1) that give the validation data the lowest loss of the task (binary cross-entropy, cross-entropy, squared error:
proper scores, so no weight is tuned to a threshold). ``(1, 0, 0, 0)`` keeps the model alone. Why these partners:
``benchmarks/quality/partner_study.py``, which chose them by the validation loss on six real data sets
(benchmarks/README.md, "0.8"). The partners' state (LightGBM's model texts, the feature layout, the linear model's
vocabularies and coefficients) and the weights are the module's extra state, plain values and tensors, so an archive
carries them and loads with ``weights_only``; an archive of 0.7 or earlier (the first LightGBM alone, one weight)
loads and predicts as it did. Training itself is untouched: the loss is the model's own; the blend applies in
evaluation and prediction.
"""
import itertools
import logging
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np
import torch

from dm2s2_allennlp.gbm import RecordFeatures, booster_texts, boosters_from, fit_lightgbm, predict_with
from dm2s2_allennlp.gbm.linear import LinearModel

logger = logging.getLogger(__name__)
STEP = 20  # the weights' grid: multiples of 1/20
PARTS = ("model", "lightgbm", "lightgbm_statistics", "linear")
WEIGHTS = [tuple(w / STEP for w in (STEP - sum(c), *c))  # (model, LightGBM, LightGBM + statistics, linear)
           for c in itertools.product(range(STEP + 1), repeat=len(PARTS) - 1) if sum(c) <= STEP]
Texts = Sequence[Dict[str, Optional[str]]]


class LightGbmBlend(torch.nn.Module):
    def __init__(self, task: str, n_features: int = 4096, rounds: int = 1000, early_stopping_rounds: int = 50,
                 seed: int = 13) -> None:
        super().__init__()
        self.task, self.n_features, self.rounds = task, n_features, rounds
        self.early_stopping_rounds, self.seed = early_stopping_rounds, seed
        self.weights = (1.0, 0.0, 0.0, 0.0)
        self.features: Optional[RecordFeatures] = None
        self.boosters: List[Any] = []  # on the words and numbers
        self.boosters_statistics: List[Any] = []  # on those and the text statistics (none in 0.7's archives)
        self.linear: Optional[LinearModel] = None

    @property
    def fitted(self) -> bool:
        return self.features is not None

    def get_extra_state(self) -> Dict[str, Any]:
        return {"weights": list(self.weights), "features": None if self.features is None else self.features.to_state(),
                "boosters": booster_texts(self.boosters),
                "boosters_statistics": booster_texts(self.boosters_statistics),
                "linear": None if self.linear is None else self.linear.to_state()}

    def set_extra_state(self, state: Dict[str, Any]) -> None:
        if "weights" in state:
            self.weights = tuple(float(w) for w in state["weights"])
        else:  # 0.7 and earlier: LightGBM on words and numbers alone, one weight
            self.weights = (1.0 - float(state["weight"]), float(state["weight"]), 0.0, 0.0)
        self.features = None if state["features"] is None else RecordFeatures.from_state(state["features"])
        self.boosters = boosters_from(state["boosters"])
        self.boosters_statistics = boosters_from(state.get("boosters_statistics", []))
        self.linear = None if state.get("linear") is None else LinearModel.from_state(state["linear"])

    def partner_scores(self, texts: Texts) -> List[Optional[np.ndarray]]:
        """Each partner's scores of ``texts`` (``PARTS[1:]``; None for a partner this blend does not have)."""
        texts = list(texts)
        x = self.features.transform(texts)
        return [predict_with(self.task, self.boosters, x[:, :self.features.statistics_start]),
                predict_with(self.task, self.boosters_statistics, x) if self.boosters_statistics else None,
                self.linear.predict(texts) if self.linear is not None else None]

    @staticmethod
    def mix(scores: torch.Tensor, partners: Sequence[Optional[np.ndarray]], weights) -> torch.Tensor:
        mixed = weights[0] * scores
        for weight, other in zip(weights[1:], partners):
            if weight:
                mixed = mixed + weight * torch.as_tensor(other, dtype=scores.dtype).to(scores.device).reshape(
                    scores.shape)
        return mixed

    def apply(self, scores: torch.Tensor, texts: Texts) -> torch.Tensor:
        """The blended scores of records whose model scores are ``scores``."""
        if not self.fitted or self.weights[0] == 1.0:
            return scores
        return self.mix(scores, self.partner_scores(texts), self.weights)

    def fit_partners(self, train_texts: List[Dict[str, Optional[str]]], train_targets: np.ndarray,
                     valid_texts: List[Dict[str, Optional[str]]], valid_targets: np.ndarray, num_outputs: int) -> None:
        """Fit the partners to the training records, choosing on the validation records (the data alone)."""
        self.features = RecordFeatures(self.features_modalities(train_texts), self.n_features,
                                       text_statistics=True).fit(train_texts)
        x_train, x_valid = self.features.transform(train_texts), self.features.transform(valid_texts)
        start = self.features.statistics_start

        def boost(train, valid):
            return fit_lightgbm(self.task, num_outputs, train, train_targets, valid, valid_targets, self.seed,
                                self.rounds, self.early_stopping_rounds)

        self.boosters = boost(x_train[:, :start], x_valid[:, :start])
        self.boosters_statistics = boost(x_train, x_valid) if x_train.shape[1] > start else []
        self.linear = LinearModel(self.task, self.features.numeric).fit(train_texts, train_targets, valid_texts,
                                                                         valid_targets, num_outputs, self.seed)

    def choose_weights(self, model_scores: torch.Tensor, valid_texts: List[Dict[str, Optional[str]]],
                       loss: Callable[[torch.Tensor], float]) -> tuple:
        """The weights of the lowest ``loss`` of the blended validation scores (``model_scores``: the model's own)."""
        partners = self.partner_scores(valid_texts)
        present = [True] + [p is not None for p in partners]
        candidates = [w for w in WEIGHTS if all(has or not weight for has, weight in zip(present, w))]
        losses = [loss(self.mix(model_scores, partners, w)) for w in candidates]
        self.weights = candidates[int(np.argmin(losses))]
        alone = {part: loss(self.mix(model_scores, partners, [float(i == k) for i in range(len(PARTS))]))
                 for k, part in enumerate(PARTS) if present[k]}
        logger.info("blend: validation loss alone %s; %.4f at the chosen weights %s",
                    ", ".join(f"{part} {value:.4f}" for part, value in alone.items()), min(losses),
                    dict(zip(PARTS, self.weights)))
        return self.weights

    @staticmethod
    def features_modalities(texts: List[Dict[str, Optional[str]]]) -> List[str]:
        return list(texts[0]) if texts else []
