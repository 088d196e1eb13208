"""``multimodal_jsonl``: the generic format users bring their own data in.

One JSON object per line::

    {"id": "tt0114709", "modalities": {"title": "Toy Story", "year": 1995, "labels": ["Toy", "Cartoon"]},
     "label": ["Animation", "Comedy"]}

``modalities`` maps modality names to values (see ``multimodal_reader.render_value``). Without the reader's
``modalities`` in the config they are every name in the first file read (the training data), in first-seen order;
without its ``task``, the first label's (a list: multilabel, a number: regression, a string: classification). Names
outside the reader's ``modalities`` are ignored with ONE warning per name; a listed name that is absent is a missing
modality. ``label`` is a list of strings (``multilabel``), a string (``classification``; binary = 2 classes) or a
number (``regression``); an absent or ``null`` label gives an unlabeled instance (for ``allennlp predict``). ``id`` is
optional (a missing id becomes ``"<file name>:<line>"``). Blank lines are skipped; the file is UTF-8 (a byte-order
mark is fine).

A malformed line, bytes that are not UTF-8, a missing or non-object ``modalities``, a value of the wrong type, a label
that does not match ``task``, or a file that mixes labeled and unlabeled records raises :class:`DataError` naming the
file, the line number and the field; so does an empty file, or one where none of the reader's modalities occurs
(``file_checks``). Nothing is skipped silently.
"""
import logging
import os
from typing import Any, Dict, Iterable, Set, Tuple

from allennlp.data import DatasetReader, Instance

from dm2s2_allennlp.dataset_readers.file_checks import parse_json, text_lines
from dm2s2_allennlp.dataset_readers.multimodal_reader import DataError, MultimodalReader

logger = logging.getLogger(__name__)


@DatasetReader.register("multimodal_jsonl")
class MultimodalJsonlReader(MultimodalReader):
    """Reads the generic JSONL format above; parameters are those of :class:`MultimodalReader`. Without
    ``modalities`` or ``task`` it infers them from the first file it reads (``infer_from``)."""

    can_infer = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._warned_unknown: Set[str] = set()

    def parse_line(self, line: str, where: str, default_id: str,
                   warn: bool = True) -> Tuple[str, Dict[str, Any], Any]:
        record = parse_json(line, where)
        if not isinstance(record, dict):
            raise DataError(where, None, f"a record must be a JSON object, got {type(record).__name__}")
        if "modalities" not in record:
            raise DataError(where, "modalities", "missing (every record needs a `modalities` object)")
        values = record["modalities"]
        if not isinstance(values, dict):
            raise DataError(where, "modalities", f"must be an object, got {type(values).__name__}")
        record_id = record.get("id", default_id)
        if not isinstance(record_id, (str, int)) or isinstance(record_id, bool):
            raise DataError(where, "id", f"must be a string, got {record_id!r}")
        for name in values if warn else ():
            if name not in self.modalities and name not in self._warned_unknown:
                self._warned_unknown.add(name)
                logger.warning("%s: modality %r is not in the reader's `modalities` %s; ignoring it (warned once)",
                               where, name, self.modalities)
        return str(record_id).strip(), values, record.get("label")

    def infer_from(self, file_path: str) -> None:
        """The modalities (every name in the file, in first-seen order) and the task (the first label's) of
        ``file_path``, for the ones the config left out. The whole file is scanned, in every worker alike."""
        names: Dict[str, None] = {}
        label, where_label = None, None
        for number, line in text_lines(file_path):
            where = f"{file_path}:{number}"
            _, values, record_label = self.parse_line(line, where, default_id="", warn=False)
            names.update(dict.fromkeys(values))
            if label is None and record_label is not None:
                label, where_label = record_label, where
        if self.modalities is None:
            if not names:
                raise DataError(str(file_path), "modalities", "no record names a modality, so there are no "
                                                              "modalities to infer (or state "
                                                              "`dataset_reader.modalities`)")
            self.infer_modalities(list(names), str(file_path))
        if self.task is None and label is not None:
            self.infer_task(label, where_label)

    def _read(self, file_path: str) -> Iterable[Instance]:
        base = os.path.basename(str(file_path))
        if self.modalities is None or self.task is None:
            self.infer_from(file_path)
        with self.checking(file_path) as checks:
            for number, line in self.shard_iterable(text_lines(file_path)):
                where = f"{file_path}:{number}"
                record_id, values, label = self.parse_line(line, where, default_id=f"{base}:{number}")
                yield self.make_instance(record_id, values, label, where=where, checks=checks)
