"""Label fields that remember where their label came from, so that a label the model does not know (one of the
validation or test data that the training data never had) is reported with its file, line and the labels there are,
instead of as a bare ``KeyError`` from the vocabulary."""
from allennlp.data import Vocabulary
from allennlp.data.fields import LabelField, MultiLabelField

from dm2s2_allennlp.errors import DataError


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
