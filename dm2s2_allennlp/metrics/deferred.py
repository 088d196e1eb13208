"""``Deferred``: feeds an AllenNLP metric that checks its inputs on the host (accuracy, F-beta, AUC) only when the
metric is read, so that updating it per batch never makes the host wait for the GPU."""
import warnings
from typing import Any, List, Tuple

import torch
from sklearn.exceptions import UndefinedMetricWarning


class Deferred:
    """Holds a metric's per-batch inputs (tensors detached, on their device) and feeds them to ``metric`` on the CPU
    at ``get_metric``."""

    def __init__(self, metric) -> None:
        self.metric = metric
        self.pending: List[Tuple[Any, ...]] = []

    def __call__(self, *args) -> None:
        self.pending.append(tuple(a.detach() if isinstance(a, torch.Tensor) else a for a in args))

    def get_metric(self, reset: bool = False):
        for args in self.pending:
            self.metric(*(a.cpu() if isinstance(a, torch.Tensor) else a for a in args))
        self.pending = []
        with warnings.catch_warnings():
            # an AUC of one class comes back NaN and the model leaves it out with its own warning (defined_only)
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            return self.metric.get_metric(reset)
