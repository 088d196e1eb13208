"""``regression_errors``: RMSE (DM2S2 Eq. 17), MAE and MAPE over the whole evaluation set.

RMSE = sqrt(sum (y - y_hat)^2 / N) over all N samples seen (not a mean of per-batch RMSEs);
MAE  = sum |y - y_hat| / N;
MAPE = mean over samples with y != 0 of |y - y_hat| / |y| (targets equal to 0 have no percentage error and are left
out of MAPE only; their number is reported as ``mape_excluded``).
Sums are added up across distributed workers; they stay on the predictions' device until ``get_metric``.
"""
from typing import Dict, Optional

import torch
import torch.distributed as dist
from allennlp.common.util import is_distributed
from allennlp.training.metrics import Metric


@Metric.register("regression_errors")
class RegressionErrors(Metric):
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        # squared error, absolute error, count, absolute percentage error, count with y != 0
        self._sums: Optional[torch.Tensor] = None

    def __call__(self, predictions: torch.Tensor, gold: torch.Tensor) -> None:
        predictions, gold = self.detach_tensors(predictions, gold)
        predictions, gold = predictions.double().reshape(-1), gold.double().reshape(-1)
        error = predictions - gold
        nonzero = gold != 0
        percentage = torch.where(nonzero, error.abs() / gold.abs().masked_fill(~nonzero, 1.0), torch.zeros_like(gold))
        sums = torch.stack([
            (error ** 2).sum(), error.abs().sum(), gold.new_full((), float(gold.numel())), percentage.sum(),
            nonzero.sum().double(),
        ])
        self._sums = sums if self._sums is None else self._sums + sums

    def get_metric(self, reset: bool = False) -> Dict[str, float]:
        sums = torch.zeros(5, dtype=torch.float64) if self._sums is None else self._sums.clone()
        if is_distributed():
            dist.all_reduce(sums)
        squared, absolute, count, percentage, nonzero = sums.cpu().tolist()
        result = {
            "rmse": (squared / count) ** 0.5 if count else 0.0,
            "mae": absolute / count if count else 0.0,
            "mape": percentage / nonzero if nonzero else 0.0,
            "mape_excluded": count - nonzero,
        }
        if reset:
            self.reset()
        return result
