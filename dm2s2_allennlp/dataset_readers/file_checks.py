"""What every reader checks about a whole file, and how lines are read, so that bad input ends in an error that names
the file, the line and the field -- or in a counted, logged skip -- never in a crash half way or a silent result.

* ``text_lines``: a text file's non-blank lines, decoded as UTF-8 line by line (a UTF-8 byte-order mark is read and
  dropped); bytes that are not UTF-8 raise :class:`DataError` with the line and column.
* ``parse_json``: one JSON value; malformed JSON, or a number JSON allows but Python refuses (a 5,000-digit integer),
  raise :class:`DataError`.
* ``FileChecks`` (``MultimodalReader.checking(path)``): counts a file's records while they are read and, when the
  file is done, raises if it had none, raises if none of the reader's modalities occurs in any record (the names in
  the config match nothing in the data), warns for each modality that is missing in every record, and logs what the
  reader counted. ``labeled`` raises when a file mixes labeled and unlabeled records (training and evaluation files
  are all labeled; prediction files may be all unlabeled).
"""
import codecs
import json
import logging
from collections import Counter
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from allennlp.common.file_utils import cached_path

from dm2s2_allennlp.errors import DataError

logger = logging.getLogger(__name__)


def text_lines(file_path: str) -> Iterator[Tuple[int, str]]:
    """``(line number, text)`` of each non-blank line of a UTF-8 text file (see the module docstring)."""
    with open(cached_path(file_path), "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise DataError(f"{file_path}:{number}", None,
                                f"not UTF-8 text (byte 0x{raw[error.start]:02x} at column {error.start + 1}); "
                                "save the file as UTF-8") from None
            if line.strip():
                yield number, line


def parse_json(line: str, where: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise DataError(where, None, f"malformed JSON ({error.msg} at column {error.colno})") from None
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise DataError(where, None, f"unreadable JSON value: {error}") from None


class FileChecks:
    def __init__(self, file_path: str, modalities: Sequence[str]) -> None:
        self.file_path = file_path
        self.modalities = list(modalities)
        self.records = 0
        self.present: Counter = Counter()
        self.other_names: Counter = Counter()  # names in the data the reader does not use
        self.counts: Counter = Counter()  # what the reader counted (missing plots, skipped images, ...)
        self.labeled: Optional[bool] = None
        self.first_where: Optional[str] = None

    def record(self, values: Dict[str, Any], has_label: bool, where: str) -> None:
        if self.labeled is None:
            self.labeled, self.first_where = has_label, where
        elif has_label != self.labeled:
            state = "no label" if self.labeled else "a label"
            first = "had one" if self.labeled else "had none"
            raise DataError(where, "label", f"this record has {state}, but the file's first record "
                                            f"({self.first_where}) {first}: a file is either all labeled (training, "
                                            "evaluation) or all unlabeled (prediction)")
        self.records += 1
        for name in self.modalities:
            if values.get(name) not in (None, "", []):
                self.present[name] += 1
        for name in values:
            if name not in self.modalities:
                self.other_names[name] += 1

    def finish(self) -> None:
        if self.records == 0:
            raise DataError(self.file_path, None, "no records (an empty file, or nothing selected from it)")
        absent = [name for name in self.modalities if self.present[name] == 0]
        if len(absent) == len(self.modalities):
            raise DataError(self.file_path, "modalities",
                            f"none of the reader's modalities {self.modalities} occurs in any of its {self.records} "
                            f"records{self._names_in_data()}; check `modalities` (names are case-sensitive)")
        for name in absent:
            hint = [other for other in self.other_names if other.lower() == name.lower()]
            logger.warning("%s: modality %r is missing in all %d records%s", self.file_path, name, self.records,
                           f" (the data has {hint[0]!r})" if hint else "")
        if self.counts:
            details = ", ".join(f"{name}: {n}" for name, n in sorted(self.counts.items()))
            logger.warning("%s: read with %s", self.file_path, details)

    def _names_in_data(self) -> str:
        names: List[str] = [name for name, _ in self.other_names.most_common(20)]
        return f"; the data's names are {names}" if names else ""
