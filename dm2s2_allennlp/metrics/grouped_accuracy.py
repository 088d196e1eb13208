"""``grouped_accuracy``: accuracy within each group of records (e.g. Ads-Parallelity's fine classes
non-parallel / parallel-equivalent / parallel-non-equivalent, the per-class columns of DM2S2 Table 2).

``__call__(correct, groups)``: a boolean per record and its group name. ``get_metric`` returns
``{"accuracy_<group>": correct / total}`` for every group seen. Counts are summed across distributed workers
(every worker must see the same group names, as it does when the groups come from a fixed vocabulary)."""
from collections import Counter
from typing import Dict, Sequence

import torch
import torch.distributed as dist
from allennlp.common.util import is_distributed
from allennlp.training.metrics import Metric


@Metric.register("grouped_accuracy")
class GroupedAccuracy(Metric):
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._correct: Counter = Counter()
        self._total: Counter = Counter()

    def __call__(self, correct: torch.Tensor, groups: Sequence[str]) -> None:
        for hit, group in zip(correct.detach().cpu().tolist(), groups):
            self._total[group] += 1
            self._correct[group] += int(bool(hit))

    def get_metric(self, reset: bool = False) -> Dict[str, float]:
        names = sorted(self._total)
        counts = torch.tensor([[self._correct[n], self._total[n]] for n in names], dtype=torch.float64)
        if is_distributed() and names:
            dist.all_reduce(counts)
        result = {f"accuracy_{name}": float(c / t) for name, (c, t) in zip(names, counts.tolist()) if t}
        if reset:
            self.reset()
        return result
