"""``LabelledHead``: what the two heads over a label vocabulary share -- the label names, their class weights (Eq. 16's
w_k from the training counts, ``heads.class_weights``; or ``label_counts`` given in the config) and the statistics
that fit them (a record's label names: ``dataset_readers.label_fields.label_names``)."""
from typing import Dict, Optional, Sequence

import torch
from allennlp.data import Field, Vocabulary

from dm2s2_allennlp.dataset_readers.label_fields import label_names
from dm2s2_allennlp.heads.class_weights import check_class_weighting, class_weights, counts_from_mapping
from dm2s2_allennlp.heads.task_head import TaskHead, label_counts


class LabelledHead(TaskHead):
    def __init__(self, vocab: Vocabulary, label_namespace: str = "labels", class_weighting: str = "inverse",
                 label_counts: Optional[Dict[str, int]] = None) -> None:
        super().__init__(vocab, label_namespace)
        self.names = self.label_names(vocab, label_namespace)
        self.check_labels(self.names, label_namespace)
        self.class_weighting = check_class_weighting(class_weighting)
        given = counts_from_mapping(self.names, label_counts)
        self.register_buffer("class_weights", class_weights(given, class_weighting) if given is not None
                             else torch.ones(len(self.names)))
        if given is not None:
            self.mark_fitted()

    @property
    def num_outputs(self) -> int:
        return len(self.names)

    @property
    def needs_statistics(self) -> bool:
        return self.class_weighting != "none"

    def unfitted_consequence(self) -> str:
        return "the class weights are uniform"

    def label_statistics(self, labels: Sequence[Field]) -> torch.Tensor:
        return label_counts(labels, self.names, label_names)

    def set_statistics(self, statistics: torch.Tensor) -> None:
        self.class_weights.copy_(class_weights(statistics, self.class_weighting))
        super().set_statistics(statistics)
