"""``classification`` head: one label per record (binary = two classes). Softmax outputs, cross-entropy with the
same optional class weights as Eq. 16 (``class_weighting``: ``inverse`` by default, ``inverse_sqrt``, ``none``;
``heads.class_weights``).

Metrics: ``accuracy``, ``f1_macro``; with exactly two classes also ``auc`` and ``recall_at_p95`` of the positive class
(``positive_label``, default the label with vocabulary index 1); when the records' metadata carry a ``fine_class``
(``ads_parallelity``), the accuracy within each fine class, ``accuracy_<class>`` (DM2S2 Table 2's per-class columns).
AllenNLP's accuracy, F-beta and AUC check their inputs on the host, so they get them when read (``Deferred``).
Output: ``probs``, and ``label`` / ``label_probs`` when made human-readable.
"""
from typing import Any, Dict, Optional, Sequence

import torch
import torch.nn.functional as F
from allennlp.data import Vocabulary
from allennlp.training.metrics import Auc, CategoricalAccuracy, FBetaMeasure

from dm2s2_allennlp.heads.labelled_head import LabelledHead
from dm2s2_allennlp.heads.task_head import TaskHead
from dm2s2_allennlp.metrics.deferred import Deferred
from dm2s2_allennlp.metrics.grouped_accuracy import GroupedAccuracy
from dm2s2_allennlp.metrics.recall_at_precision import RecallAtPrecision


@TaskHead.register("classification")
class ClassificationHead(LabelledHead):
    task = "classification"
    main_metric = ("accuracy", 1.0)
    """Parameters: ``class_weighting`` (``inverse``), ``positive_label`` (binary tasks), ``label_counts``
    (``{label: N_k}``; instead of the counts fitted from the training data), ``label_namespace``."""

    def __init__(self, vocab: Vocabulary, label_namespace: str = "labels", class_weighting: str = "inverse",
                 positive_label: Optional[str] = None, label_counts: Optional[Dict[str, int]] = None) -> None:
        super().__init__(vocab, label_namespace, class_weighting, label_counts)
        if len(self.names) == 1:
            raise ValueError(f"the training data has a single class, {self.names[0]!r}: a classifier needs two or "
                             "more (check the label column or coding; Ads-Parallelity: `parallel_values`)")
        if positive_label is not None and positive_label not in self.names:
            raise ValueError(f"`positive_label` {positive_label!r} is not a label of the vocabulary {self.names}")
        self.positive_index = self.names.index(positive_label) if positive_label is not None else 1
        self.accuracy = Deferred(CategoricalAccuracy())
        self.macro_f1 = Deferred(FBetaMeasure(average="macro"))
        self.grouped_accuracy = Deferred(GroupedAccuracy())
        self.binary = len(self.names) == 2
        self.auc = Deferred(Auc(positive_label=self.positive_index)) if self.binary else None
        self.recall_at_p95 = RecallAtPrecision(0.95) if self.binary else None

    def scores(self, logits: torch.Tensor) -> torch.Tensor:
        return torch.softmax(logits, dim=-1)

    def outputs(self, logits: torch.Tensor, scores: torch.Tensor) -> Dict[str, torch.Tensor]:
        return {"logits": logits, "probs": scores}

    def loss(self, logits: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits, label.long(), weight=self.class_weights)

    def update_metrics(self, scores: torch.Tensor, label: torch.Tensor,
                       metadata: Optional[Sequence[Dict[str, Any]]] = None) -> None:
        scores, label = scores.detach(), label.long()
        self.accuracy(scores, label)
        self.macro_f1(scores, label)
        if self.binary:
            self.auc(scores[:, self.positive_index], label)
            self.recall_at_p95(scores[:, self.positive_index], label == self.positive_index)
        if metadata is not None and all("fine_class" in m for m in metadata):
            self.grouped_accuracy(scores.argmax(-1) == label, [m["fine_class"] for m in metadata])

    def scoring_loss(self, scores: torch.Tensor, gold: torch.Tensor) -> float:
        return float(F.nll_loss(scores.double().clamp_min(1e-7).log(), gold.long()))

    def task_metrics(self, reset: bool = False) -> Dict[str, float]:
        metrics = {"accuracy": self.accuracy.get_metric(reset), "f1_macro": self.macro_f1.get_metric(reset)["fscore"]}
        if self.binary:
            metrics["auc"] = float(self.auc.get_metric(reset))
            metrics.update(self.recall_at_p95.get_metric(reset))
        metrics.update(self.grouped_accuracy.get_metric(reset))
        return metrics

    def make_output_human_readable(self, output_dict: Dict[str, Any]) -> Dict[str, Any]:
        probs = output_dict["probs"].detach().cpu()
        output_dict["label_probs"] = [dict(zip(self.names, row)) for row in probs.tolist()]
        output_dict["label"] = [self.names[int(i)] for i in probs.argmax(-1)]
        return output_dict
