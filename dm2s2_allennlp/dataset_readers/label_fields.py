"""What a label is, per task -- the data layer's rule, used by every reader -- and the AllenNLP fields labels become:

  * ``multilabel``: a list of non-empty strings -> ``MultiLabelField``;
  * ``classification``: a non-empty string -> ``LabelField`` (binary = two classes);
  * ``regression``: a finite number a 32-bit float holds -> a scalar float ``TensorField``.

Blanks around a label are dropped. The label fields are AllenNLP's own, subclassed only to remember where their label
came from, so that a label the model does not know (one of the validation or test data that the training data never
had) is reported with its file, line and the labels there are, instead of as a bare ``KeyError`` from the vocabulary.
"""
import math
from typing import Any, List

import torch
from allennlp.data import Field, Vocabulary
from allennlp.data.fields import LabelField, MultiLabelField, TensorField

from dm2s2_allennlp.errors import DataError

TASKS = ("multilabel", "classification", "regression")
FLOAT32_MAX = float(torch.finfo(torch.float32).max)


def label_names(field: Field) -> List[str]:
    """The label names a label field holds: a multi-label field's labels, a class label, none for a regression
    value."""
    if isinstance(field, MultiLabelField):
        return list(field.labels)
    if isinstance(field, LabelField):
        return [field.label]
    return []


def task_of(label: Any) -> str:
    """The task a raw label implies (the inverse of ``label_field``'s rule): a list -> multilabel, a number ->
    regression, anything else -> classification."""
    if isinstance(label, list):
        return "multilabel"
    if isinstance(label, (int, float)) and not isinstance(label, bool):
        return "regression"
    return "classification"


def label_field(task: str, label: Any, where: str, namespace: str = "labels") -> Field:
    """The field of one raw ``label`` for ``task``; a :class:`DataError` naming ``where`` when it does not fit."""
    if task == "multilabel":
        if not isinstance(label, list) or not all(isinstance(x, str) and x.strip() for x in label):
            raise DataError(where, "label", f"task 'multilabel' needs a list of non-empty strings, got {label!r}")
        return SourcedMultiLabelField([x.strip() for x in label], namespace, where)
    if task == "classification":
        if not isinstance(label, str) or not label.strip():
            raise DataError(where, "label", f"task 'classification' needs a non-empty string, got {label!r} (write "
                                            "class labels as strings)")
        return SourcedLabelField(label.strip(), namespace, where)
    if task == "regression":
        if isinstance(label, bool) or not isinstance(label, (int, float)) or not math.isfinite(label):
            raise DataError(where, "label", f"task 'regression' needs a finite number, got {label!r}")
        if abs(label) > FLOAT32_MAX:
            raise DataError(where, "label", "task 'regression' needs a number a 32-bit float can hold "
                                            f"(|x| <= 3.4e38), got {label!r}")
        return TensorField(torch.tensor(float(label), dtype=torch.float32))
    raise ValueError(f"`task` must be one of {list(TASKS)}, got {task!r}")


def _unknown(where: str, label: str, vocab: Vocabulary, namespace: str) -> DataError:
    known = sorted(vocab.get_token_to_index_vocabulary(namespace))
    return DataError(where, "label", f"label {label!r} is not one of the labels the model was trained with {known} "
                                     "(the vocabulary comes from the training data): fix the record, or list the "
                                     "label in the config's `vocabulary: {tokens_to_add: {labels: [...]}}`")


class SourcedLabelField(LabelField):
    def __init__(self, label: str, label_namespace: str, where: str) -> None:
        super().__init__(label, label_namespace=label_namespace)
        self.where = where

    def index(self, vocab: Vocabulary) -> None:
        if self.label not in vocab.get_token_to_index_vocabulary(self._label_namespace):
            raise _unknown(self.where, self.label, vocab, self._label_namespace)
        super().index(vocab)


class SourcedMultiLabelField(MultiLabelField):
    def __init__(self, labels, label_namespace: str, where: str) -> None:
        super().__init__(labels, label_namespace=label_namespace)
        self.where = where

    def index(self, vocab: Vocabulary) -> None:
        known = vocab.get_token_to_index_vocabulary(self._label_namespace)
        for label in self.labels:
            if label not in known:
                raise _unknown(self.where, label, vocab, self._label_namespace)
        super().index(vocab)
