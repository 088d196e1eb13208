"""The facts a reader states about its data -- the modalities in their order, the task, the encoder the tokens are
for and the length limit -- and how they reach the model: through the vocabulary, the way label counts reach
AllenNLP's ``basic_classifier``.

Every instance's ``metadata`` is a :class:`FactsMetadataField`; when AllenNLP builds the vocabulary from the training
instances it counts each fact into a namespace of its own (``NAMESPACES``; the ``*_labels`` suffix makes them
non-padded, so the tokens are exactly the facts), and the archive's ``vocabulary/`` directory keeps them. The model
reads them back with :func:`stated_facts`: it takes what its config leaves out and checks what it states. The
modality names keep the reader's order because every instance counts each name once (equal counts keep the order
they were first counted in); the model still checks each batch's names against its own (``MultimodalModel``).
"""
from typing import Any, Dict, List, Optional

from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.data.fields import MetadataField

NAMESPACES = {
    "modalities": "reader_modality_labels",
    "task": "reader_task_labels",
    "encoder": "reader_encoder_labels",
    "max_length": "reader_max_length_labels",
}


class FactsMetadataField(MetadataField):
    """A ``MetadataField`` that also counts the reader's facts ``{fact: [values]}`` into the vocabulary."""

    def __init__(self, metadata: Any, facts: Dict[str, List[str]]) -> None:
        super().__init__(metadata)
        self.facts = facts

    def count_vocab_items(self, counter: Dict[str, Dict[str, int]]) -> None:
        for fact, values in self.facts.items():
            for value in values:
                counter[NAMESPACES[fact]][value] += 1


def stated_facts(vocab: Optional[Vocabulary]) -> Dict[str, Any]:
    """The facts the training data's reader stated, from ``vocab``: ``modalities`` (a list, in the reader's order),
    ``task``, ``encoder`` (the name as the reader's config gave it), ``max_length`` (an int); a fact the vocabulary
    does not hold (a hand-built vocabulary, a reader that did not state it) is absent; several values of one fact
    are a ``ConfigurationError``."""
    facts: Dict[str, Any] = {}
    if vocab is None:
        return facts
    specials = {vocab._padding_token, vocab._oov_token}
    for fact, namespace in NAMESPACES.items():
        if namespace not in vocab.get_namespaces():
            continue
        values = [token for token, _ in sorted(vocab.get_token_to_index_vocabulary(namespace).items(),
                                               key=lambda item: item[1]) if token not in specials]
        if not values:
            continue
        if fact == "modalities":
            facts[fact] = values
        elif len(values) == 1:
            facts[fact] = int(values[0]) if fact == "max_length" else values[0]
        else:
            raise ConfigurationError(f"the vocabulary holds several readers' {fact} {values} (namespace "
                                     f"{namespace!r}; a vocabulary extended with other data?): one model needs one")
    return facts


def reader_facts(modalities: List[str], task: Optional[str], encoder: Optional[str],
                 max_length: int) -> Dict[str, List[str]]:
    """The facts one instance carries (``FactsMetadataField``), from the reader's settings."""
    facts = {"modalities": list(modalities), "max_length": [str(max_length)]}
    if task is not None:
        facts["task"] = [task]
    if encoder is not None:
        facts["encoder"] = [encoder]
    return facts


def state_inferred(config: Dict[str, Any], readers: Dict[str, Any], facts: Dict[str, Any]) -> List[str]:
    """Write into ``config`` (a run's config.json as a dict) the ``modalities`` and ``task`` that its readers
    (``{config key: reader}``) were left to infer, as ``facts`` (``stated_facts`` of the run's vocabulary) holds
    them; returns the facts written."""
    stated = []
    for key, reader in readers.items():
        if not getattr(reader, "can_infer", False) or not isinstance(config.get(key), dict):
            continue
        for fact in ("modalities", "task"):
            if config[key].get(fact) is None and fact in facts:
                config[key][fact] = facts[fact]
                stated.append(fact)
    return sorted(set(stated))
