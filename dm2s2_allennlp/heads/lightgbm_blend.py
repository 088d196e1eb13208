"""A head's LightGBM blend: the stacked ensemble AutoGluon builds for multimodal tables, as one switch
(``blend_with_lightgbm: true`` on any model).

After training (the ``stack_and_tune`` callback, at the best epoch), LightGBM is fitted to the training records' rendered
modalities (``gbm.features``: numbers as numbers, words hashed per modality), stopping early on the validation
records, and the final prediction becomes

    y = (1 - w) * y_model + w * y_lightgbm       (probabilities, or values for regression)

with the weight w in {0, 0.05, ..., 1} that gives the validation data the lowest loss of the task (binary
cross-entropy, cross-entropy, squared error: proper scores, so w is not tuned to a threshold). w = 0 keeps the model
alone. The boosters (LightGBM's model text), the feature layout and w are the module's extra state, plain values, so
an archive carries them and loads with ``weights_only``. Training itself is untouched: the loss is the model's own;
the blend applies in evaluation and prediction.
"""
import logging
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np
import torch

from dm2s2_allennlp.gbm import RecordFeatures, booster_texts, boosters_from, fit_lightgbm, predict_with

logger = logging.getLogger(__name__)
WEIGHTS = [i / 20 for i in range(21)]


class LightGbmBlend(torch.nn.Module):
    def __init__(self, task: str, n_features: int = 4096, rounds: int = 1000, early_stopping_rounds: int = 50,
                 seed: int = 13) -> None:
        super().__init__()
        self.task, self.n_features, self.rounds = task, n_features, rounds
        self.early_stopping_rounds, self.seed = early_stopping_rounds, seed
        self.weight = 0.0
        self.features: Optional[RecordFeatures] = None
        self.boosters: List[Any] = []

    @property
    def fitted(self) -> bool:
        return self.features is not None

    def get_extra_state(self) -> Dict[str, Any]:
        return {"weight": self.weight, "features": None if self.features is None else self.features.to_state(),
                "boosters": booster_texts(self.boosters)}

    def set_extra_state(self, state: Dict[str, Any]) -> None:
        self.weight = float(state["weight"])
        self.features = None if state["features"] is None else RecordFeatures.from_state(state["features"])
        self.boosters = boosters_from(state["boosters"])

    def predict(self, texts: Sequence[Dict[str, Optional[str]]]) -> np.ndarray:
        return predict_with(self.task, self.boosters, self.features.transform(list(texts)))

    def apply(self, scores: torch.Tensor, texts: Sequence[Dict[str, Optional[str]]]) -> torch.Tensor:
        """The blended scores of records whose model scores are ``scores``."""
        if not self.fitted or self.weight == 0.0:
            return scores
        other = torch.as_tensor(self.predict(texts), dtype=scores.dtype).to(scores.device).reshape(scores.shape)
        return (1.0 - self.weight) * scores + self.weight * other

    def fit_boosters(self, train_texts: List[Dict[str, Optional[str]]], train_targets: np.ndarray,
                     valid_texts: List[Dict[str, Optional[str]]], valid_targets: np.ndarray, num_outputs: int) -> None:
        """Fit LightGBM to the training records, stopping early on the validation records (the data alone)."""
        self.features = RecordFeatures(self.features_modalities(train_texts), self.n_features).fit(train_texts)
        self.boosters = fit_lightgbm(self.task, num_outputs, self.features.transform(train_texts), train_targets,
                                     self.features.transform(valid_texts), valid_targets, self.seed, self.rounds,
                                     self.early_stopping_rounds)

    def choose_weight(self, model_scores: torch.Tensor, valid_texts: List[Dict[str, Optional[str]]],
                      loss: Callable[[torch.Tensor], float]) -> float:
        """The w of the lowest ``loss`` of the blended validation scores (``model_scores``: the model's own)."""
        other = torch.as_tensor(self.predict(valid_texts), dtype=model_scores.dtype).reshape(model_scores.shape)
        losses = [loss((1.0 - w) * model_scores + w * other) for w in WEIGHTS]
        self.weight = WEIGHTS[int(np.argmin(losses))]
        logger.info("LightGBM blend: validation loss %.4f with the model alone, %.4f with LightGBM alone, %.4f at the "
                    "chosen weight %.2f", losses[0], losses[-1], min(losses), self.weight)
        return self.weight

    @staticmethod
    def features_modalities(texts: List[Dict[str, Optional[str]]]) -> List[str]:
        return list(texts[0]) if texts else []
