"""``regression`` head: one output, the RMSE loss of DM2S2 Eq. 17,

    L = sqrt( 1/N sum_j (y_j - y_hat_j)^2 ),

fitted in standardised units: with ``standardize_targets: true`` (the default) the model's output z is read as
y_hat = mean + std * z, where mean and std are the training targets' (fitted by the ``fit_to_data`` callback and
kept in the archive), and the loss is Eq. 17 on (y - mean) / std, i.e. Eq. 17 divided by the constant std. The
output layer's bias starts at 0, so the model starts by predicting the training mean instead of having to travel
from 0 to it (a rating with mean 3.4 and std 0.6 otherwise costs epochs, and a small data set may never get there).
Predictions, metrics and archives are in the target's own units. ``standardize_targets: false`` fits raw targets
(mean 0, std 1).

Metrics: RMSE (Eq. 17 over the whole evaluation set), MAE, MAPE (``metrics.regression_errors``); with
``auc_threshold`` set, the ROC-AUC of the prediction for separating targets above the threshold from the rest (for a
conversion rate and ``auc_threshold: 0``: converted vs non-converted, Table 4's AUC). Output: ``prediction``.
"""
import logging
import math
from typing import Any, Dict, Optional, Sequence

import torch
import torch.nn.functional as F
from allennlp.data import Field, Vocabulary
from allennlp.training.metrics import Auc

from dm2s2_allennlp.heads.task_head import TaskHead
from dm2s2_allennlp.metrics.deferred import Deferred
from dm2s2_allennlp.metrics.regression_errors import RegressionErrors

logger = logging.getLogger(__name__)


@TaskHead.register("regression")
class RegressionHead(TaskHead):
    """Parameters: ``standardize_targets`` (true), ``auc_threshold`` (none)."""

    task = "regression"
    main_metric = ("rmse", -1.0)
    class_logits = False

    def __init__(self, vocab: Vocabulary, label_namespace: str = "labels", standardize_targets: bool = True,
                 auc_threshold: Optional[float] = None) -> None:
        super().__init__(vocab, label_namespace)
        self.standardize = standardize_targets
        self.register_buffer("target_mean", torch.zeros(()))
        self.register_buffer("target_std", torch.ones(()))
        self.errors = RegressionErrors()
        self.auc_threshold = auc_threshold
        self.auc = Deferred(Auc()) if auc_threshold is not None else None

    @property
    def num_outputs(self) -> int:
        return 1

    @property
    def needs_statistics(self) -> bool:
        return self.standardize

    def unfitted_consequence(self) -> str:
        return "the targets are fitted unscaled (mean 0, std 1)"

    def initialize_output_layer(self, layer: torch.nn.Linear) -> None:
        torch.nn.init.zeros_(layer.bias)  # z = 0 is the training mean

    def label_statistics(self, labels: Sequence[Field]) -> torch.Tensor:
        values = torch.tensor([float(field.tensor) for field in labels], dtype=torch.float64)
        return torch.stack([values.new_tensor(float(len(values))), values.sum(), (values ** 2).sum()])

    def set_statistics(self, statistics: torch.Tensor) -> None:
        if self.standardize:
            count, total, squares = (float(x) for x in statistics)
            mean = total / count if count else 0.0
            variance = max(squares / count - mean ** 2, 0.0) if count else 0.0
            std = math.sqrt(variance)
            constant = std <= 1e-6 * max(1.0, abs(mean))  # within the moments' rounding of a constant
            if constant and count:
                logger.warning("every one of the %d training targets is %g: a model of them can only predict that "
                               "value, and RMSE / MAPE then measure the distance to it; check the label field",
                               int(count), mean)
            self.target_mean.fill_(mean)
            self.target_std.fill_(1.0 if constant else std)
        super().set_statistics(statistics)

    def scores(self, logits: torch.Tensor) -> torch.Tensor:
        return self.target_mean + self.target_std * logits.squeeze(-1)

    def outputs(self, logits: torch.Tensor, scores: torch.Tensor) -> Dict[str, torch.Tensor]:
        return {"prediction": scores}

    def loss(self, logits: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        target = (label.float() - self.target_mean) / self.target_std
        return torch.sqrt(F.mse_loss(logits.squeeze(-1), target) + 1e-12)  # Eq. 17 (in units of the training std)

    def update_metrics(self, scores: torch.Tensor, label: torch.Tensor,
                       metadata: Optional[Sequence[Dict[str, Any]]] = None) -> None:
        scores, label = scores.detach().reshape(-1), label.float().reshape(-1)
        self.errors(scores, label)
        if self.auc is not None:
            self.auc(scores, (label > self.auc_threshold).long())

    def scoring_loss(self, scores: torch.Tensor, gold: torch.Tensor) -> float:
        return float(F.mse_loss(scores.double(), gold.double()))

    def task_metrics(self, reset: bool = False) -> Dict[str, float]:
        metrics = self.errors.get_metric(reset)
        if self.auc is not None:
            metrics["auc"] = float(self.auc.get_metric(reset))
        return metrics
