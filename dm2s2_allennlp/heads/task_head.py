"""``TaskHead``: everything a model's output means for one task, in one registered part chosen in the config
(``head: {type: "multilabel" | "classification" | "regression", ...}``).

A head owns the task's loss, its class weights or target scaling, its decision rule (thresholds), its metrics and
its human-readable output; the model before it only produces ``num_outputs`` logits per record. The readers ask the
head class of their ``task`` how to turn a raw label into an AllenNLP field (``label_field``), and the LightGBM
baseline reports its metrics through the same head (``update_metrics``), so every model of the package reports the
same numbers under the same names.

Statistics of the training labels (class counts for the class weights, the target mean and standard deviation for
regression) are fitted from the training data by the trainer callback ``fit_to_data``
(``training/callbacks/fit_to_data.py``): ``label_statistics`` turns the training label fields into one summable
tensor (the callback adds those of distributed workers), ``set_statistics`` applies it. They are buffers, so an
archive restores the statistics its model was trained with. A head that needs statistics and trains without them
warns once and trains with neutral ones (uniform weights, unscaled targets).
"""
import logging
from typing import Any, Dict, Iterable, List, Optional, Sequence, Type

import numpy as np
import torch
from allennlp.common import Registrable
from allennlp.data import Field, Instance, Vocabulary

from dm2s2_allennlp.modules.fitted import Fitted

logger = logging.getLogger(__name__)


class TaskHead(Registrable, Fitted):
    """Parameters: ``vocab`` (given by AllenNLP), ``label_namespace`` (``labels``)."""

    class_logits = True  # the logits score classes (a prior on them makes sense); false for regression

    def __init__(self, vocab: Vocabulary, label_namespace: str = "labels") -> None:
        super().__init__()
        self.label_namespace = label_namespace
        self._warned_unfitted = False

    # -- what the model needs ------------------------------------------------------------------------------------
    @property
    def num_outputs(self) -> int:
        raise NotImplementedError

    def initialize_output_layer(self, layer: torch.nn.Linear) -> None:
        """Called on the model's last linear layer once it exists (e.g. regression starts at the target mean)."""

    def forward(self, logits: torch.Tensor, label: Optional[torch.Tensor] = None,
                metadata: Optional[Sequence[Dict[str, Any]]] = None) -> Dict[str, torch.Tensor]:
        """The task outputs of ``logits`` ``(batch, num_outputs)``; with ``label`` also ``loss``, and the metrics are
        updated."""
        raise NotImplementedError

    def get_metrics(self, reset: bool = False) -> Dict[str, float]:
        raise NotImplementedError

    def make_output_human_readable(self, output_dict: Dict[str, Any]) -> Dict[str, Any]:
        return output_dict

    # -- training-label statistics ----------------------------------------------------------------------------------
    @property
    def needs_statistics(self) -> bool:
        """Whether ``set_statistics`` changes this head (class weights or target scaling in use)."""
        return False

    def label_statistics(self, labels: Sequence[Field]) -> torch.Tensor:
        """A summable tensor of what the head needs from the training labels (empty if nothing)."""
        return torch.zeros(0, dtype=torch.float64)

    def set_statistics(self, statistics: torch.Tensor) -> None:
        self.mark_fitted()

    def check_fitted(self) -> None:
        """Warn once when training starts without fitted statistics that the head would use."""
        if self.training and self.needs_statistics and not self.fitted and not self._warned_unfitted:
            self._warned_unfitted = True
            logger.warning("%s: training without statistics of the training labels (no `fit_to_data` trainer "
                           "callback in the config?): %s", type(self).__name__, self.unfitted_consequence())

    def unfitted_consequence(self) -> str:
        return "nothing changes"

    # -- labels as data -------------------------------------------------------------------------------------------
    @classmethod
    def label_field(cls, label: Any, where: str, namespace: str) -> Field:
        """The AllenNLP field of one raw label; raises ``ValueError`` (the reader adds file, line and field) when
        the label does not fit the task."""
        raise NotImplementedError

    def targets(self, instances: Sequence[Instance]) -> np.ndarray:
        """The instances' labels as an array (multi-hot, class indices or values), for non-neural baselines."""
        raise NotImplementedError

    def update_metrics(self, scores: torch.Tensor, label: torch.Tensor,
                       metadata: Optional[Sequence[Dict[str, Any]]] = None) -> None:
        """Feed the metrics with final ``scores`` (class probabilities, or predictions in the target's units)."""
        raise NotImplementedError

    @classmethod
    def for_task(cls, task: str) -> Type["TaskHead"]:
        """The head class registered as ``task``; a ``ValueError`` naming the tasks there are otherwise."""
        if task not in cls.list_available():
            raise ValueError(f"`task` must be one of {sorted(cls.list_available())}, got {task!r}")
        return cls.by_name(task)

    @staticmethod
    def check_labels(names: Sequence[str], namespace: str) -> None:
        if not names:
            raise ValueError(f"the vocabulary has no labels in namespace {namespace!r}: the training data "
                             "(train_data_path) had no labeled record -- every training record needs its label "
                             "(multimodal_jsonl: `label`; ad_lp: `conversion_rate`)")

    @staticmethod
    def label_names(vocab: Vocabulary, namespace: str) -> List[str]:
        return [vocab.get_token_from_index(i, namespace) for i in range(vocab.get_vocab_size(namespace))]


def label_counts(labels: Iterable[Field], names: Sequence[str], of_field) -> torch.Tensor:
    """How many of ``labels`` carry each of ``names`` (``of_field(field)`` lists a field's label names)."""
    index = {name: i for i, name in enumerate(names)}
    counts = torch.zeros(len(names), dtype=torch.float64)
    for field in labels:
        for name in of_field(field):
            if name in index:
                counts[index[name]] += 1
    return counts
