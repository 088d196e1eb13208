"""``multilabel`` head: sigmoid outputs and the class-weighted binary cross-entropy of DM2S2 Eq. 16,

    L = -1/N sum_j sum_k w_k [Y_jk log Yhat_jk + (1 - Y_jk) log(1 - Yhat_jk)],

with w_k from the training label counts (``class_weighting``: ``inverse`` w_k = 1/N_k, ``inverse_sqrt``, ``none``;
``heads.class_weights``). Eq. 16 as printed shows only the positive term, -1/N sum_j sum_k w_k Y_jk log Yhat_jk;
the "sigmoid cross-entropy" the text names has both terms. ``loss_terms: both`` (the default, and the paper configs'
value) uses both; ``loss_terms: printed`` is the formula as printed, which has no term against a false positive and
is minimised by predicting every class (the README reports what it does to F1).

Decision rule: label k is predicted when Yhat_k >= t_k. t_k is ``threshold`` (0.5) for every class, or, with
``tune_thresholds: true``, tuned on the validation data (``heads.thresholds``; the ``stack_and_tune`` callback does
it with the best epoch's validation predictions, before the trainer saves that epoch) and stored in the archive, so
``allennlp evaluate`` and ``allennlp predict`` use them. ``tune_for`` says what they maximise: ``f1_macro`` (the
default: each class's own F1) or ``f1_micro`` (the pooled F1 of all decisions; match the trainer's
``validation_metric``). ``at_least_one: true`` predicts the class with the largest
margin Yhat_k - t_k for a record that would otherwise get no label (for data where every record has one).

Metrics: F1 micro / macro / samples of the predicted label sets, and ``recall_at_p95`` (R@P95 over all (record,
class) pairs, paper 003 Section 6.2; threshold-free). Output: ``probs``, and ``labels`` / ``label_probs`` when made
human-readable.
"""
from typing import Any, Dict, Optional, Sequence

import torch
import torch.nn.functional as F
from allennlp.data import Vocabulary

from dm2s2_allennlp.heads.labelled_head import LabelledHead
from dm2s2_allennlp.heads.task_head import TaskHead
from dm2s2_allennlp.checks import in_range
from dm2s2_allennlp.heads.thresholds import OBJECTIVES
from dm2s2_allennlp.metrics.multilabel_f1 import MultilabelF1
from dm2s2_allennlp.metrics.recall_at_precision import RecallAtPrecision


@TaskHead.register("multilabel")
class MultilabelHead(LabelledHead):
    task = "multilabel"
    main_metric = ("f1_micro", 1.0)
    """Parameters: ``class_weighting`` (``inverse``), ``loss_terms`` (``both``), ``threshold`` (0.5),
    ``tune_thresholds`` (false), ``tune_for`` (``f1_macro``), ``at_least_one`` (false), ``label_counts`` (``{label: N_k}``; instead of the counts fitted from the training
    data), ``label_namespace``."""

    def __init__(self, vocab: Vocabulary, label_namespace: str = "labels", class_weighting: str = "inverse",
                 threshold: float = 0.5, tune_thresholds: bool = False, at_least_one: bool = False,
                 label_counts: Optional[Dict[str, int]] = None, loss_terms: str = "both",
                 tune_for: str = "f1_macro") -> None:
        super().__init__(vocab, label_namespace, class_weighting, label_counts)
        if loss_terms not in ("both", "printed"):
            raise ValueError(f"`loss_terms` must be both or printed, got {loss_terms!r}")
        self.loss_terms = loss_terms
        self.default_threshold = in_range("threshold", threshold, 0.0, 1.0, low_open=True, high_open=True)
        self.tune = tune_thresholds
        if tune_for not in OBJECTIVES:
            raise ValueError(f"`tune_for` must be one of {OBJECTIVES}, got {tune_for!r}")
        self.tune_for = tune_for
        self.at_least_one = at_least_one
        self.register_buffer("thresholds", torch.full((len(self.names),), float(threshold)))
        self.register_buffer("thresholds_tuned", torch.zeros((), dtype=torch.bool))
        self.f1 = MultilabelF1(threshold)
        self.recall_at_p95 = RecallAtPrecision(0.95)

    @property
    def fits_decisions(self) -> bool:
        return self.tune or self.blend is not None

    @property
    def decisions_fitted(self) -> bool:
        return super().decisions_fitted and (not self.tune or bool(self.thresholds_tuned))

    def set_thresholds(self, thresholds: torch.Tensor) -> None:
        """Thresholds tuned on held-out records (``stack_and_tune``), kept in the archive."""
        self.thresholds.copy_(thresholds)
        self.thresholds_tuned.fill_(True)

    def decide(self, probs: torch.Tensor) -> torch.Tensor:
        """The predicted label sets ``(batch, K)`` (bool) of ``probs``: at the tuned thresholds, or at the default one
        while the decisions are suspended (a training run's validation passes)."""
        thresholds = self.thresholds.new_full(self.thresholds.shape, self.default_threshold) \
            if self.decisions_suspended else self.thresholds
        predicted = probs >= thresholds
        if self.at_least_one:
            margin = probs - thresholds
            top = torch.zeros_like(predicted).scatter_(1, margin.argmax(-1, keepdim=True), True)
            predicted = predicted | (top & ~predicted.any(-1, keepdim=True))
        return predicted

    def scores(self, logits: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(logits)

    def outputs(self, logits: torch.Tensor, scores: torch.Tensor) -> Dict[str, torch.Tensor]:
        return {"logits": logits, "probs": scores}

    def loss(self, logits: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        target = label.float()
        if self.loss_terms == "printed":  # -Y log(sigmoid(z)), the positive term alone
            per_class = -target * F.logsigmoid(logits)
        else:
            per_class = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
        return (per_class * self.class_weights).sum(-1).mean()  # Eq. 16

    def update_metrics(self, scores: torch.Tensor, label: torch.Tensor,
                       metadata: Optional[Sequence[Dict[str, Any]]] = None) -> None:
        scores, gold = scores.detach(), label.float()
        self.f1(scores, gold, predicted=self.decide(scores))
        self.recall_at_p95(scores, gold)

    def task_metrics(self, reset: bool = False) -> Dict[str, float]:
        return {**self.f1.get_metric(reset), **self.recall_at_p95.get_metric(reset)}

    def scoring_loss(self, scores: torch.Tensor, gold: torch.Tensor) -> float:
        return float(F.binary_cross_entropy(scores.double().clamp(1e-7, 1 - 1e-7), gold.double()))

    def make_output_human_readable(self, output_dict: Dict[str, Any]) -> Dict[str, Any]:
        probs = output_dict["probs"].detach()
        decided = self.decide(probs).cpu().tolist()
        output_dict["label_probs"] = [dict(zip(self.names, row)) for row in probs.cpu().tolist()]
        output_dict["labels"] = [[n for n, keep in zip(self.names, row) if keep] for row in decided]
        return output_dict
