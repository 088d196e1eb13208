"""``TaskMetrics``: the metrics every model of this package reports for its task, in one place, so that the neural
models and the LightGBM baseline (``allennlp train-lightgbm``) report exactly the same numbers under the same names.

  * ``multilabel``: F1 micro / macro / samples at ``threshold`` and ``recall_at_p95`` over all (record, class)
    pairs; inputs are the class probabilities.
  * ``classification``: ``accuracy``, ``f1_macro``; with exactly two classes also ``auc`` and ``recall_at_p95`` of
    the class ``positive_index``; with groups (``fine_class``) ``accuracy_<group>``. Inputs are the class
    probabilities.
  * ``regression``: ``rmse``, ``mae``, ``mape``, ``mape_excluded`` and, with ``auc_threshold``, the ROC-AUC of the
    prediction for telling targets above the threshold from the rest.

Updating them never reads from the GPU mid-step: this package's own metrics accumulate on the device, and AllenNLP's
(accuracy, F-beta, AUC, which check their inputs on the host) are ``_Deferred``: their inputs wait on the device and
are fed to them when the metrics are read.
"""
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch
from allennlp.training.metrics import Auc, CategoricalAccuracy, FBetaMeasure

from dm2s2_allennlp.metrics.grouped_accuracy import GroupedAccuracy
from dm2s2_allennlp.metrics.multilabel_f1 import MultilabelF1
from dm2s2_allennlp.metrics.recall_at_precision import RecallAtPrecision
from dm2s2_allennlp.metrics.regression_errors import RegressionErrors


class _Deferred:
    """Holds a metric's per-batch inputs (tensors detached, on their device) and feeds them to ``metric`` on the CPU
    at ``get_metric``, so that updating it makes the host wait for nothing."""

    def __init__(self, metric) -> None:
        self.metric = metric
        self.pending: List[Tuple[Any, ...]] = []

    def __call__(self, *args) -> None:
        self.pending.append(tuple(a.detach() if isinstance(a, torch.Tensor) else a for a in args))

    def get_metric(self, reset: bool = False):
        for args in self.pending:
            self.metric(*(a.cpu() if isinstance(a, torch.Tensor) else a for a in args))
        self.pending = []
        return self.metric.get_metric(reset)


class TaskMetrics:
    def __init__(self, task: str, num_outputs: int, threshold: float = 0.5, positive_index: Optional[int] = None,
                 auc_threshold: Optional[float] = None) -> None:
        self.task = task
        self.recall_at_p95: Optional[RecallAtPrecision] = None
        if task == "multilabel":
            self.multilabel_f1 = MultilabelF1(threshold)
            self.recall_at_p95 = RecallAtPrecision(0.95)
        elif task == "classification":
            self.accuracy = _Deferred(CategoricalAccuracy())
            self.grouped_accuracy = _Deferred(GroupedAccuracy())
            self.macro_f1 = _Deferred(FBetaMeasure(average="macro"))
            self.auc: Optional[_Deferred] = None
            self.positive_index = positive_index if positive_index is not None else 1
            if num_outputs == 2:
                self.auc = _Deferred(Auc(positive_label=self.positive_index))
                self.recall_at_p95 = RecallAtPrecision(0.95)
        elif task == "regression":
            self.regression_errors = RegressionErrors()
            self.auc_threshold = auc_threshold
            self.regression_auc = _Deferred(Auc()) if auc_threshold is not None else None
        else:
            raise ValueError(f"unknown task {task!r}")

    @classmethod
    def for_vocabulary(cls, task: str, vocab, namespace: str = "labels", threshold: float = 0.5,
                       positive_label: Optional[str] = None, auc_threshold: Optional[float] = None) -> "TaskMetrics":
        """The metrics of a model with ``vocab``'s labels: the positive class of a binary task is ``positive_label``
        (default: the label with vocabulary index 1)."""
        num_outputs = 1 if task == "regression" else vocab.get_vocab_size(namespace)
        positive_index = None
        if task == "classification" and num_outputs == 2:
            positive_index = 1 if positive_label is None else vocab.get_token_index(positive_label, namespace)
        return cls(task, num_outputs, threshold, positive_index, auc_threshold)

    def __call__(self, scores: torch.Tensor, label: torch.Tensor, groups: Optional[Sequence[str]] = None) -> None:
        scores = scores.detach()
        if self.task == "multilabel":
            self.multilabel_f1(scores, label.float())
            self.recall_at_p95(scores, label.float())
        elif self.task == "classification":
            label = label.long()
            self.accuracy(scores, label)
            self.macro_f1(scores, label)
            if self.auc is not None:
                self.auc(scores[:, self.positive_index], label)
                self.recall_at_p95(scores[:, self.positive_index], label == self.positive_index)
            if groups is not None:
                self.grouped_accuracy(scores.argmax(-1) == label, groups)
        else:
            label = label.float()
            self.regression_errors(scores, label)
            if self.regression_auc is not None:
                self.regression_auc(scores, (label > self.auc_threshold).long())

    def get_metric(self, reset: bool = False) -> Dict[str, float]:
        if self.task == "multilabel":
            return {**self.multilabel_f1.get_metric(reset), **self.recall_at_p95.get_metric(reset)}
        if self.task == "regression":
            metrics = self.regression_errors.get_metric(reset)
            if self.regression_auc is not None:
                metrics["auc"] = float(self.regression_auc.get_metric(reset))
            return metrics
        metrics = {"accuracy": self.accuracy.get_metric(reset), "f1_macro": self.macro_f1.get_metric(reset)["fscore"]}
        if self.auc is not None:
            metrics["auc"] = float(self.auc.get_metric(reset))
            metrics.update(self.recall_at_p95.get_metric(reset))
        metrics.update(self.grouped_accuracy.get_metric(reset))
        return metrics
