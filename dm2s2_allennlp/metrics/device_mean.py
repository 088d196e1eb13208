"""``device_mean``: the mean of a per-record (or per-batch) quantity over an epoch, accumulated where the values live,
so that updating it never makes the host wait for the GPU (AllenNLP's ``Average`` reads every value back)."""
from typing import Optional

import torch
import torch.distributed as dist
from allennlp.common.util import is_distributed
from allennlp.training.metrics import Metric


@Metric.register("device_mean")
class DeviceMean(Metric):
    def __init__(self) -> None:
        self._sums: Optional[torch.Tensor] = None  # (sum, count)

    def reset(self) -> None:
        self._sums = None

    def __call__(self, values: torch.Tensor) -> None:
        values = values.detach().double().reshape(-1)
        sums = torch.stack([values.sum(), values.new_full((), float(values.numel()))])
        self._sums = sums if self._sums is None else self._sums + sums

    def get_metric(self, reset: bool = False) -> float:
        sums = torch.zeros(2, dtype=torch.float64) if self._sums is None else self._sums.clone()
        if is_distributed():
            dist.all_reduce(sums)
        total, count = sums.cpu().tolist()
        if reset:
            self.reset()
        return total / count if count else 0.0
