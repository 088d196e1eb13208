"""The facts a reader states about its data -- the modalities in their order, the task, the encoder the tokens are
for and the length limit -- and how they reach the model: through the vocabulary, the way label counts reach
AllenNLP's ``basic_classifier``.

Every instance's ``metadata`` is a :class:`FactsMetadataField`; when AllenNLP builds the vocabulary from the training
instances it counts each fact into a namespace of its own (``NAMESPACES``; the ``*_labels`` suffix makes them
non-padded, so the tokens are exactly the facts), and the archive's ``vocabulary/`` directory keeps them. The model
reads them back with :func:`stated_facts`: it takes what its config leaves out and checks what it states. The
modality names keep the reader's order because every instance counts each name once (equal counts keep the order
they were first counted in); the model still checks each batch's names against its own (``MultimodalModel``).

A fact the generic reader infers is settled BEFORE the run (:func:`settle`, called by ``dm2s2 train``,
``cross-validate``, ``train-lightgbm`` and the Python API): inferred from the training file and written into the
config, so ``config.json`` states it from the start and nothing rewrites it mid-run.
"""
import copy
import logging
import os
from typing import Any, Dict, List, Optional

from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import DatasetReader, Vocabulary
from allennlp.data.fields import MetadataField

from dm2s2_allennlp.errors import DataError

logger = logging.getLogger(__name__)

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


DATA_KEYS = ("train_data_path", "validation_data_path", "test_data_path")  # AllenNLP reads each one it is given


def data_paths(params: Params) -> Dict[str, str]:
    """The data files a training config names, by key."""
    return {key: params[key] for key in DATA_KEYS if params.get(key) is not None}


def check_data_paths(params: Params) -> None:
    """Every local data file the config names exists, before any work: a ``DataError`` naming the key and path."""
    for key, path in data_paths(params).items():
        path = str(path)
        local = path if os.path.exists(path) else path.split("#", 1)[0]  # `file#part`: a reader's selection
        if "://" not in path and not any(c in path for c in "*?[") and not os.path.exists(local):
            raise DataError(path, None, f"no such file (the config's `{key}`; relative paths are read from "
                                        f"{os.getcwd()})")


def settle(params: Params) -> Dict[str, Any]:
    """Settle the facts of a training config BEFORE its run: every data file it names must exist; a reader left to
    infer its ``modalities`` or ``task`` infers them from ``train_data_path`` (``infer_from``), and they are written
    into the config's ``dataset_reader`` (and ``validation_dataset_reader``, where it leaves them out too). The run
    then starts from a config that states them (image columns too: the visual features of every data file's images
    are extracted here, ``prepare``, so the run only reads the cache): ``config.json`` is written once, by AllenNLP, and never rewritten;
    ``--recover`` settles the same facts from the same file, so the configs match; the archive's reader reads new
    files with exactly these facts. Returns the facts it wrote (``{}`` when the config stated them)."""
    check_data_paths(params)
    raw = params.params
    reader_config = raw.get("dataset_reader")
    if not isinstance(reader_config, dict) or "train_data_path" not in raw:
        return {}
    reader = DatasetReader.from_params(Params(copy.deepcopy(reader_config)))
    if not getattr(reader, "can_infer", False):
        return {}
    settled: Dict[str, Any] = {}
    if reader.modalities is None or reader.task is None:
        reader.infer_from(str(raw["train_data_path"]))
        settled = reader.inferred_facts()
    for key in ("dataset_reader", "validation_dataset_reader"):
        if isinstance(raw.get(key), dict):
            for fact, value in settled.items():
                if raw[key].get(fact) is None:
                    raw[key][fact] = value
    if settled:
        logger.info("settled before the run, from %s: %s (the run's config.json states them)",
                    raw["train_data_path"], ", ".join(f"{fact} {value!r}" for fact, value in settled.items()))
    for path in data_paths(params).values():  # image columns: every image extracted once, before the run
        reader.prepare(str(path))
    return settled
