"""``recall_at_precision``: the largest recall reachable at a precision of at least ``precision`` (R@P95 with the
default 0.95; Rakuten's attribute-extraction metric, paper 003 Section 6.2: cover as many products as possible while
95% of what is predicted is right).

Every (record, class) pair is one scored decision: for a multi-label task all pairs are pooled (micro), for a binary
task the positive class's score of each record is used. Sorting the scores from high to low, a threshold at each
distinct score predicts everything scored at least that high (scikit-learn's ``precision_recall_curve``); among the
thresholds whose precision TP / (TP + FP) >= ``precision``, the metric is the largest recall TP / (all positives). It is 0 when no threshold
reaches the precision, and undefined (NaN; the models leave it out) when there are no positives. Ties are never split: records with the same score are predicted
together, so the result does not depend on their order. Scores are gathered across distributed workers; until
``get_metric`` they stay on their device (no host sync per batch).
"""
from typing import Dict, Optional

import torch
import torch.distributed as dist
from sklearn.metrics import precision_recall_curve
from allennlp.common.util import is_distributed
from allennlp.training.metrics import Metric


def recall_at_precision(scores: torch.Tensor, gold: torch.Tensor, precision: float = 0.95) -> float:
    """R@P for 1-d ``scores`` and boolean ``gold`` of the same length (see the module docstring)."""
    scores, gold = scores.reshape(-1).double().numpy(), gold.reshape(-1).bool().numpy()
    if not gold.any():
        return float("nan")
    # scikit-learn's curve: one point per distinct score (ties predicted together), plus (precision 1, recall 0)
    precisions, recalls, _ = precision_recall_curve(gold, scores)
    return float(recalls[precisions >= precision - 1e-12].max())


@Metric.register("recall_at_precision")
class RecallAtPrecision(Metric):
    def __init__(self, precision: float = 0.95) -> None:
        if not 0.0 < precision <= 1.0:
            raise ValueError(f"precision must be in (0, 1], got {precision}")
        self.precision = precision
        self.reset()

    def reset(self) -> None:
        self._scores = []
        self._gold = []

    def __call__(self, scores: torch.Tensor, gold: torch.Tensor, mask: Optional[torch.Tensor] = None) -> None:
        scores, gold = self.detach_tensors(scores, gold)
        if mask is not None:
            scores, gold = scores[mask.bool()], gold[mask.bool()]
        self._scores.append(scores.reshape(-1).double())
        self._gold.append(gold.reshape(-1).bool())

    def get_metric(self, reset: bool = False) -> Dict[str, float]:
        scores = torch.cat(self._scores).cpu() if self._scores else torch.zeros(0, dtype=torch.float64)
        gold = torch.cat(self._gold).cpu() if self._gold else torch.zeros(0, dtype=torch.bool)
        if is_distributed():
            gathered = [None] * dist.get_world_size()
            dist.all_gather_object(gathered, (scores, gold))
            scores = torch.cat([s for s, _ in gathered])
            gold = torch.cat([g for _, g in gathered])
        value = recall_at_precision(scores, gold, self.precision)
        if reset:
            self.reset()
        return {"recall_at_p%d" % round(self.precision * 100): value}
