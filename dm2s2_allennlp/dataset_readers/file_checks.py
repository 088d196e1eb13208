"""What every reader checks about a whole file, and how lines are read, so that bad input ends in an error that names
the file, the line and the field -- or in a counted, logged skip -- never in a crash half way or a silent result.

* ``open_data``: a data file opened for reading in binary; a directory is an error that says so, a gzip-compressed
  file (``.gz``, or its magic bytes) is decompressed on the fly.
* ``text_lines``: a text file's non-blank lines, decoded as UTF-8 line by line (a UTF-8 byte-order mark is read and
  dropped); bytes that are not UTF-8 raise :class:`DataError` with the line and column.
* ``parse_json``: one JSON value; malformed JSON, a key given twice in one object (which one is meant?), a number
  JSON allows but Python refuses (a 5,000-digit integer), or nesting deeper than Python's recursion limit raise
  :class:`DataError`.
* ``FileChecks`` (``MultimodalReader.checking(path)``): counts a file's records while they are read and, when the
  file is done, raises if it had none, raises if none of the reader's modalities occurs in any record (the names in
  the config match nothing in the data), warns for each modality that is missing in every record (missing as the
  reader renders it: ``null``, ``""``, blanks, NaN, ``[]``), once for all the names in the data that the reader's
  modalities leave out, for ids given to more than one record and for labels
  that differ only in case or inner blanks (they are different classes), and logs what the reader counted.
  ``labeled`` raises when a file mixes labeled and unlabeled records (training and evaluation files are all
  labeled; prediction files may be all unlabeled).
"""
import codecs
import gzip
import json
import logging
import os
from contextlib import contextmanager
from collections import Counter, defaultdict
from typing import IO, Any, Dict, Iterator, List, Optional, Sequence, Tuple

from allennlp.common.file_utils import cached_path

from dm2s2_allennlp.errors import DataError

logger = logging.getLogger(__name__)


GZIP_MAGIC = b"\x1f\x8b"


def open_data(file_path: str) -> IO[bytes]:
    """The data file at ``file_path`` (a local path or URL AllenNLP's ``cached_path`` resolves) opened in binary,
    gzip-decompressed when it is compressed."""
    try:
        path = cached_path(file_path)
    except FileNotFoundError:
        raise DataError(str(file_path), None, "no such file") from None
    if os.path.isdir(path):
        raise DataError(str(file_path), None, "is a directory, not a data file: name the file inside it (e.g. "
                                              f"{os.path.join(str(file_path), 'train.jsonl')})")
    handle = open(path, "rb")
    if handle.peek(2)[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=handle, mode="rb")
    return handle


@contextmanager
def truncated_gzip_named(file_path: str, line) -> Iterator[None]:
    """A gzip file that ends before its end marker (a copy cut short) as a :class:`DataError` naming it."""
    try:
        yield
    except (EOFError, gzip.BadGzipFile) as error:
        raise DataError(f"{file_path}:{line() + 1}", None, f"the compressed file ends early or is damaged ({error}): "
                                                           "is it a complete copy?") from None


def text_lines(file_path: str) -> Iterator[Tuple[int, str]]:
    """``(line number, text)`` of each non-blank line of a UTF-8 text file (see the module docstring)."""
    number = 0
    with open_data(file_path) as handle, truncated_gzip_named(file_path, lambda: number):
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


def _unique_keys(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    seen: Dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(key)
        seen[key] = value
    return seen


class DuplicateKey(ValueError):
    pass


def parse_json(line: str, where: str) -> Any:
    try:
        return json.loads(line, object_pairs_hook=_unique_keys)
    except DuplicateKey as error:
        raise DataError(where, str(error), "given twice in one object: keep the one that is meant") from None
    except json.JSONDecodeError as error:
        raise DataError(where, None, f"malformed JSON ({error.msg} at column {error.colno})") from None
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise DataError(where, None, f"unreadable JSON value: {error}") from None
    except RecursionError:
        raise DataError(where, None, "JSON nested too deeply to read (thousands of levels); a record is an object of "
                                     "modality values") from None


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
        self.id_places: Dict[str, List[str]] = defaultdict(list)
        self.labels: Counter = Counter()

    def record(self, values: Dict[str, Any], has_label: bool, where: str, texts: Dict[str, Optional[str]],
               record_id: Optional[str] = None, labels: Sequence[str] = ()) -> None:
        """One record: its raw ``values``, whether it has a label, where it is, its rendered ``texts`` (``None`` =
        missing), its id and its label names."""
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
            if texts.get(name) is not None:
                self.present[name] += 1
        if record_id is not None:
            self.id_places[record_id].append(where)
        self.labels.update(labels)
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
        self._warn_other_names()
        self._warn_duplicate_ids()
        self._warn_label_variants()
        if self.counts:
            details = ", ".join(f"{name}: {n}" for name, n in sorted(self.counts.items()))
            logger.warning("%s: read with %s", self.file_path, details)

    def _warn_other_names(self) -> None:
        if self.other_names:
            names = [name for name, _ in self.other_names.most_common(10)]
            more = f" and {len(self.other_names) - 10} more" if len(self.other_names) > 10 else ""
            logger.warning("%s: %d name(s) in the data are not among the reader's modalities, ignored: %s%s",
                           self.file_path, len(self.other_names), ", ".join(map(repr, names)), more)

    def _warn_duplicate_ids(self) -> None:
        repeated = {i: places for i, places in self.id_places.items() if len(places) > 1}
        if repeated:
            first, places = next(iter(repeated.items()))
            logger.warning("%s: %d id(s) given to more than one record, e.g. %r at %s; each record is read, but "
                           "results keyed by id (predictions, explanations) cannot tell them apart", self.file_path,
                           len(repeated), first, ", ".join(places[:5]))

    def _warn_label_variants(self) -> None:
        spellings: Dict[str, List[str]] = defaultdict(list)
        for label in self.labels:
            spellings[" ".join(str(label).split()).lower()].append(label)
        variants = [sorted(group) for group in spellings.values() if len(group) > 1]
        if variants:
            logger.warning("%s: labels that differ only in case or inner blanks are different classes: %s (blanks "
                           "around a label are dropped); if they mean the same class, write them the same way",
                           self.file_path,
                           "; ".join(" / ".join(repr(v) for v in group) for group in variants))

    def _names_in_data(self) -> str:
        names: List[str] = [name for name, _ in self.other_names.most_common(20)]
        return f"; the data's names are {names}" if names else ""
