"""The field layout every dm2s2_allennlp reader emits, and the rules that turn raw values into modality tokens.

One instance has
  * ``modalities``: a ``ListField`` holding ONE ``TextField`` PER MODALITY, in the fixed order the reader was given
    (the order is part of the model: DM2S2 Eq. 2 needs a fixed modality order). Tokens carry no special tokens; the
    model adds [CLS]/[SEP] itself. A missing modality is an empty ``TextField`` (Eq. 2: "filled with an empty
    sequence").
  * ``label``: ``MultiLabelField`` (task ``multilabel``), ``LabelField`` (``classification``) or a scalar float
    ``TensorField`` (``regression``), by the rule of ``label_fields``; absent for unlabeled records (prediction).
  * ``numbers``: a ``(M, 2)`` ``TensorField``, per modality ``[signlog(value), 1]`` when its value is a number
    (``number_of``: THE rule of what a number is, which LightGBM's features use too) and ``[0, 0]`` otherwise
    (``modules.numeric_features``; models may use it to see magnitudes).
  * ``metadata``: ``id``, ``modality_names``, ``modality_texts`` (the rendered text, ``None`` when missing) and
    ``modality_tokens`` (the kept word pieces, for explanations); a ``reader_facts.FactsMetadataField``, so the
    vocabulary learns the reader's facts (modalities, task, encoder, max_length) and the model derives them.

The reader is the one place that states those facts. The generic reader can infer two of them from the first file it
reads (the training data): the modalities (every name there, in first-seen order) and the task (from the labels: a
list -> ``multilabel``, numbers -> ``regression``, otherwise ``classification``), each logged in one line; anything
given explicitly wins. ``inferred_facts()`` lists them; ``fit_to_data`` writes them into the run's config.json, so
the archive's reader reads new data with exactly those facts.

Every reader of this package subclasses :class:`MultimodalReader`, so one ``dm2s2`` model serves all of them.

Value rendering (``render_value``): a string is its stripped text; an int its decimal digits; a float its shortest
decimal form, integers without ".0" (``7.0`` -> ``"7"``); a date or time (Parquet) its ISO form; ``true``/``false`` -> ``"true"``/``"false"``; a list
its rendered elements in order joined by ``list_separator``; ``null``, ``""``, ``[]``, NaN and an absent key mean
the modality is MISSING.

Length: each modality is first cut to its own cap (``max_tokens_per_modality``), then the whole record is fitted into
``max_length - (M + 1)`` tokens (the specials) by trimming the currently longest modality first
(``modules.truncation``), so a record never exceeds the encoder's ``max_length``. A long value is cut at a blank
before it is tokenized (``tokenize_prefix``), keeping exactly the pieces the record keeps.
"""
import datetime
import decimal
import logging
import math
import re

import torch
from contextlib import contextmanager
from typing import Any, Dict, Iterable, Iterator, List, Optional, Union

from allennlp.common.checks import ConfigurationError
from allennlp.data import DatasetReader, Instance, Token
from allennlp.data.fields import ListField, TensorField, TextField
from allennlp.data.token_indexers import PretrainedTransformerIndexer, TokenIndexer
from allennlp.data.tokenizers import PretrainedTransformerTokenizer, Tokenizer

from dm2s2_allennlp.checks import in_range
from dm2s2_allennlp.errors import DataError
from dm2s2_allennlp.dataset_readers.file_checks import FileChecks
from dm2s2_allennlp.encoder_names import resolve_model_name
from dm2s2_allennlp.dataset_readers.label_fields import TASKS, label_field, label_names, task_of
from dm2s2_allennlp.dataset_readers.reader_facts import FactsMetadataField, reader_facts
from dm2s2_allennlp.modules.numeric_features import signlog
from dm2s2_allennlp.modules.truncation import fair_lengths

logger = logging.getLogger(__name__)


THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def number_of(text: Optional[str]) -> Optional[float]:
    """The number a RENDERED modality value is, or ``None``: a finite decimal number (``1995``, ``-0.5``, ``1e-3``,
    and ``1,234,567`` with thousands separators); text, lists of several values, booleans, NaN, infinities and a
    missing value are not numbers. The one rule of the package: the network's numeric features (the reader's
    ``numbers``) and LightGBM's numeric columns (``gbm.features``) both use it."""
    if not text:
        return None
    candidate = text.strip()
    if THOUSANDS.fullmatch(candidate):
        candidate = candidate.replace(",", "")
    try:
        value = float(candidate)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def render_value(value: Any, list_separator: str = ", ") -> Optional[str]:
    """Text of one modality value, or ``None`` if the modality is missing. Raises ``TypeError`` for values that are
    not text, numbers, booleans or flat lists of those."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            raise TypeError(f"infinite number {value!r}")
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (datetime.date, datetime.time)):  # Parquet's dates and times
        return value.isoformat()
    if isinstance(value, decimal.Decimal):  # Parquet's decimals
        return render_value(float(value), list_separator)
    if isinstance(value, (list, tuple)):
        parts = []
        for element in value:
            if isinstance(element, (list, tuple, dict)):
                raise TypeError(f"a list of modality values may hold only strings, numbers and booleans, got "
                                f"{type(element).__name__} inside it")
            text = render_value(element, list_separator)
            if text is not None:
                parts.append(text)
        return list_separator.join(parts) or None
    raise TypeError(f"a modality value must be a string, number, boolean, list or null, got {type(value).__name__}")


class MultimodalReader(DatasetReader):
    """Base class: builds the shared field layout (module docstring) from ``{modality name: raw value}``.

    Parameters
    ----------
    modalities: the modality names, in the order the model sees them (the generic reader infers them when omitted).
    task: ``multilabel`` | ``classification`` | ``regression``: it decides what a label is (``label_fields``); the
        generic reader infers it from the labels when omitted.
    transformer_model_name: the encoder's name or path (the model's encoder takes it from the reader); builds the
        tokenizer (without special tokens) and its indexer.
    tokenizer / token_indexers: instead of ``transformer_model_name``, a pretrained-transformer tokenizer that adds
        NO special tokens and its indexer under the key ``tokens``.
    max_tokens_per_modality: one cap for every modality, or ``{name: cap}``; no cap by default.
    max_length: the encoder's total budget including [CLS] and the M [SEP]s (default 512; the model's encoder takes
        it from the reader).
    list_separator: how list values are joined (default ``", "``).
    """

    can_infer = False  # whether the reader can infer `modalities` and `task` from its first file

    def __init__(
        self,
        modalities: Optional[List[str]] = None,
        task: Optional[str] = None,
        tokenizer: Optional[Tokenizer] = None,
        token_indexers: Optional[Dict[str, TokenIndexer]] = None,
        transformer_model_name: Optional[str] = None,
        max_tokens_per_modality: Optional[Union[int, Dict[str, int]]] = None,
        max_length: int = 512,
        list_separator: str = ", ",
        label_namespace: str = "labels",
        **kwargs,
    ) -> None:
        kwargs.setdefault("manual_distributed_sharding", True)
        kwargs.setdefault("manual_multiprocess_sharding", True)
        super().__init__(**kwargs)
        if modalities is None and not self.can_infer:
            raise ConfigurationError("`modalities` must name at least one modality")
        if task is not None and task not in TASKS:
            raise ConfigurationError(f"`task` must be one of {list(TASKS)}, got {task!r}")
        if task is None and not self.can_infer:
            raise ConfigurationError(f"`task` must be one of {list(TASKS)}")
        self.task = task
        self.inferred: List[str] = []  # the facts this reader inferred from its first file
        if transformer_model_name is None and (tokenizer is None or token_indexers is None):
            raise ConfigurationError("name the encoder: `transformer_model_name` (or give `tokenizer` and "
                                     "`token_indexers`)")
        if transformer_model_name is not None:
            path = resolve_model_name(transformer_model_name)
            tokenizer = tokenizer or PretrainedTransformerTokenizer(path, add_special_tokens=False)
            token_indexers = token_indexers or {"tokens": PretrainedTransformerIndexer(path)}
        self.encoder_name = transformer_model_name or getattr(tokenizer, "_model_name", None)
        self.tokenizer, self.token_indexers = tokenizer, token_indexers
        self.check_no_special_tokens()
        if isinstance(max_tokens_per_modality, dict):
            for name, cap in max_tokens_per_modality.items():
                in_range(f"max_tokens_per_modality.{name}", cap, 1)
        elif max_tokens_per_modality is not None:
            in_range("max_tokens_per_modality", max_tokens_per_modality, 1)
        in_range("max_length", max_length, 2)
        self.max_tokens_per_modality = max_tokens_per_modality
        self.max_length = max_length
        self.modalities: Optional[List[str]] = None
        if modalities is not None:
            self.set_modalities(modalities)
        self.list_separator = list_separator
        self.label_namespace = label_namespace

    @staticmethod
    def fixed_task(kwargs: Dict[str, Any], task: str, reader: str) -> None:
        """For a reader whose format has one task: set it, refusing another one in the config."""
        given = kwargs.get("task")
        if given is not None and given != task:
            raise ConfigurationError(f"the {reader} reader's task is always {task!r}, got `task: {given!r}`")
        kwargs["task"] = task

    def set_modalities(self, modalities: List[str]) -> None:
        """Fix the modality names (given in the config, inferred from the first file, or an archive's model's)."""
        if not modalities:
            raise ConfigurationError("`modalities` must name at least one modality")
        if len(set(modalities)) != len(modalities):
            raise ConfigurationError(f"`modalities` has duplicate names: {modalities}")
        if isinstance(self.max_tokens_per_modality, dict):
            unknown = set(self.max_tokens_per_modality) - set(modalities)
            if unknown:
                raise ConfigurationError(f"`max_tokens_per_modality` names unknown modalities {sorted(unknown)} "
                                         f"(the modalities are {list(modalities)})")
        self.budget = self.max_length - (len(modalities) + 1)
        if self.budget < 0:
            raise ConfigurationError(f"max_length={self.max_length} cannot hold [CLS] and {len(modalities)} [SEP]s")
        self.modalities = list(modalities)

    def prepare(self, file_path: str) -> None:
        """Work a file needs before it is read (the generic reader's image extraction); nothing by default."""

    def inferred_facts(self) -> Dict[str, Any]:
        """The facts this reader inferred, as config keys (``{"modalities": [...], "task": ...}``)."""
        return {fact: getattr(self, fact) for fact in self.inferred}

    def check_no_special_tokens(self) -> None:
        """The model builds ``[CLS] ... [SEP]`` itself, so the tokenizer must not add special tokens."""
        specials = set(getattr(getattr(self.tokenizer, "tokenizer", None), "all_special_tokens", []))
        if specials and any(token.text in specials for token in self.tokenizer.tokenize("a")):
            raise ConfigurationError("the reader's tokenizer must not add special tokens (set "
                                     "`add_special_tokens: false`): the model builds [CLS] ... [SEP] itself")

    # -- modality values -------------------------------------------------------------------------------------------
    def cap_for(self, name: str) -> Optional[int]:
        if isinstance(self.max_tokens_per_modality, dict):
            return self.max_tokens_per_modality.get(name)
        return self.max_tokens_per_modality

    def tokenize_prefix(self, text: str, keep: int) -> List[Token]:
        """The word pieces of ``text``, of which at least the first ``keep`` are exact: a long text is cut at a blank
        before it is tokenized (a cut 16 characters a piece, grown 4-fold until it yields ``keep`` pieces), so a 50 MB
        value costs what its kept part costs. Exact for what the reader keeps: a modality never keeps more than
        ``min(cap, budget)`` pieces, and ``fair_lengths`` treats every length of at least the budget alike."""
        limit = 16 * (keep + 16)
        while len(text) > limit:
            cut = max(text.rfind(" ", 0, limit), text.rfind("\n", 0, limit))
            pieces = self.tokenizer.tokenize(text[:cut if cut > 0 else limit])
            if len(pieces) >= keep:
                return pieces
            limit *= 4
        return self.tokenizer.tokenize(text)

    def tokenize_modalities(self, texts: Dict[str, Optional[str]]) -> List[List[Token]]:
        tokens = []
        for name in self.modalities:
            text = texts.get(name)
            cap = self.cap_for(name)
            keep = min(cap, self.budget) if cap is not None else self.budget
            pieces = self.tokenize_prefix(text, keep) if text else []
            tokens.append(pieces[:cap] if cap is not None else pieces)
        kept = fair_lengths([len(t) for t in tokens], self.budget)
        return [t[:n] for t, n in zip(tokens, kept)]

    # -- labels ----------------------------------------------------------------------------------------------------
    def label_field(self, label: Any, where: str):
        """The field of ``label`` for the reader's task (``label_fields``); a :class:`DataError` when it does not
        fit the task."""
        if self.task is None:
            self.infer_task(label, where)
        return label_field(self.task, label, where, self.label_namespace)

    def infer_task(self, label: Any, where: str) -> None:
        """The task of the first label seen (``label_fields.task_of``)."""
        self.task = task = task_of(label)
        self.inferred.append("task")
        logger.info("task: %r, inferred from the first label (%s: %r); state `dataset_reader.task` to choose",
                    task, where, label)

    def infer_modalities(self, names: List[str], where: str) -> None:
        self.set_modalities(names)
        self.inferred.append("modalities")
        logger.info("modalities: %s, inferred from %s (every name there, in first-seen order); state "
                    "`dataset_reader.modalities` to choose", self.modalities, where)

    # -- instances -------------------------------------------------------------------------------------------------
    @contextmanager
    def checking(self, file_path: str) -> Iterator[FileChecks]:
        """``with self.checking(path) as checks:`` around reading a file: ``make_instance(..., checks=checks)``
        records each record, and the file is checked as a whole at the end (``file_checks.FileChecks``)."""
        checks = FileChecks(str(file_path), self.modalities)
        yield checks
        checks.finish()

    def make_instance(self, record_id: Optional[str], values: Dict[str, Any], label: Any = None,
                      where: str = "<record>", extra_metadata: Optional[Dict[str, Any]] = None,
                      checks: Optional[FileChecks] = None) -> Instance:
        if self.modalities is None:
            raise ConfigurationError("the reader's modalities are not known yet: it infers them from the first file "
                                     "it reads; state `dataset_reader.modalities`")
        label_field = self.label_field(label, where) if label is not None else None
        texts: Dict[str, Optional[str]] = {}
        for name in self.modalities:
            try:
                texts[name] = render_value(values.get(name), self.list_separator)
            except TypeError as error:
                raise DataError(where, f"modalities.{name}", str(error)) from None
        if checks is not None:
            checks.record(values, label is not None, where, texts, record_id,
                          label_names(label_field) if label_field is not None else [])
        tokens = self.tokenize_modalities(texts)
        numbers = [number_of(texts[name]) for name in self.modalities]
        fields: Dict[str, Any] = {
            "modalities": ListField([TextField(t, self.token_indexers) for t in tokens]),
            "numbers": TensorField(torch.tensor([[signlog(x), 1.0] if x is not None else [0.0, 0.0]
                                                 for x in numbers], dtype=torch.float32)),
        }
        if label_field is not None:
            fields["label"] = label_field
        metadata = {
            "id": record_id,
            "modality_names": list(self.modalities),
            "modality_texts": texts,
            "modality_tokens": [[t.text for t in ts] for ts in tokens],
            "label": label,
        }
        if extra_metadata:
            metadata.update(extra_metadata)
        fields["metadata"] = FactsMetadataField(metadata, reader_facts(self.modalities, self.task, self.encoder_name,
                                                                       self.max_length))
        return Instance(fields)

    def text_to_instance(self, modalities: Dict[str, Any], label: Any = None, id: Optional[str] = None,
                         **extra) -> Instance:  # type: ignore[override]
        return self.make_instance(id, modalities, label, where=f"record {id!r}" if id else "<record>",
                                  extra_metadata=extra or None)

    def _read(self, file_path: str) -> Iterable[Instance]:  # pragma: no cover - subclasses implement
        raise NotImplementedError
