"""``multilabel_f1``: F1 micro, macro and samples for multi-label prediction at a probability threshold.

Same definitions as scikit-learn's ``f1_score(average=...)`` with ``zero_division=0`` (the MM-IMDB papers' metrics):
  micro   = 2 TP / (2 TP + FP + FN), counts summed over all classes and samples;
  macro   = the mean over classes of each class's F1 (a class with no true and no predicted positives scores 0);
  samples = the mean over samples of each sample's F1 (likewise 0 when a sample has no true and no predicted label).
Counts are summed across distributed workers before the division. They are kept on the device the predictions come
from and read only in ``get_metric``: updating the metric never waits for the GPU.
"""
from typing import Dict, Optional

import torch
import torch.distributed as dist
from allennlp.common.util import is_distributed
from allennlp.training.metrics import Metric


@Metric.register("multilabel_f1")
class MultilabelF1(Metric):
    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold
        self.reset()

    def reset(self) -> None:
        self._tp: Optional[torch.Tensor] = None
        self._fp: Optional[torch.Tensor] = None
        self._fn: Optional[torch.Tensor] = None
        self._samples: Optional[torch.Tensor] = None  # (sum of the samples' F1, number of samples)

    def __call__(self, probabilities: torch.Tensor, gold: torch.Tensor, mask: Optional[torch.Tensor] = None,
                 predicted: Optional[torch.Tensor] = None) -> None:
        """``predicted`` (bool, same shape), if given, is the decision to score instead of ``probabilities >=
        threshold`` (a head with per-class thresholds decides itself)."""
        probabilities, gold = self.detach_tensors(probabilities, gold)
        predicted = probabilities >= self.threshold if predicted is None else predicted.detach().bool()
        gold = gold.bool()
        if mask is not None:
            predicted, gold = predicted[mask.bool()], gold[mask.bool()]
        tp = (predicted & gold).sum(0).double()
        fp = (predicted & ~gold).sum(0).double()
        fn = (~predicted & gold).sum(0).double()
        row_tp = (predicted & gold).sum(1).double()
        row_den = predicted.sum(1).double() + gold.sum(1).double()
        row_f1 = torch.where(row_den > 0, 2 * row_tp / row_den.clamp_min(1), torch.zeros_like(row_den))
        samples = torch.stack([row_f1.sum(), row_f1.new_full((), float(predicted.size(0)))])  # filled on the device
        if self._tp is None:
            self._tp, self._fp, self._fn, self._samples = tp, fp, fn, samples
        else:
            self._tp += tp
            self._fp += fp
            self._fn += fn
            self._samples += samples

    @staticmethod
    def _f1(tp: torch.Tensor, fp: torch.Tensor, fn: torch.Tensor) -> torch.Tensor:
        den = 2 * tp + fp + fn
        return torch.where(den > 0, 2 * tp / den.clamp_min(1), torch.zeros_like(den))

    def get_metric(self, reset: bool = False) -> Dict[str, float]:
        if self._tp is None:
            result = {"f1_micro": 0.0, "f1_macro": 0.0, "f1_samples": 0.0}
        else:
            counts = torch.stack([self._tp, self._fp, self._fn])
            totals = self._samples.clone()
            if is_distributed():
                dist.all_reduce(counts)
                dist.all_reduce(totals)
            tp, fp, fn = counts.cpu()
            totals = totals.cpu()
            result = {
                "f1_micro": float(self._f1(tp.sum(), fp.sum(), fn.sum())),
                "f1_macro": float(self._f1(tp, fp, fn).mean()),
                "f1_samples": float(totals[0] / totals[1]) if totals[1] > 0 else 0.0,
            }
        if reset:
            self.reset()
        return result
