"""``multimodal_table`` (also registered as ``multimodal_jsonl``): the generic reader users bring their own data in,
as a table or as JSONL, chosen by the file's extension (``table_rows``; a ``.gz`` after it is looked through).

**Tables** (``.csv``, ``.tsv``, ``.parquet``): one row a record, one column a modality, except the id column
(``id_column``, default ``id``; optional) and the label column (``label_column``, default ``label``; a file without it
is unlabeled, for prediction). An empty cell (or a null) is a missing modality. A label cell is

  * a list (Parquet), or a string split on ``label_separator`` when one is stated (``"Drama|Comedy"`` with
    ``label_separator: "|"``): multi-label;
  * a number (Parquet), or in CSV/TSV a cell the package's number rule reads as one (``multimodal_reader.number_of``):
    regression, when EVERY label of the training file is one; otherwise a class name (classification).

**JSONL** (any other extension): one JSON object per line::

    {"id": "tt0114709", "modalities": {"title": "Toy Story", "year": 1995, "labels": ["Toy", "Cartoon"]},
     "label": ["Animation", "Comedy"]}

``modalities`` maps modality names to values (``multimodal_reader.render_value``); ``label`` is a list of strings
(multilabel), a string (classification) or a number (regression), the first label deciding; an absent or ``null``
label gives an unlabeled record. Blank lines are skipped.

Without the reader's ``modalities`` in the config they are every name of the first file read (the training data), in
first-seen order (a table: its column order); without its ``task``, the labels' (above). ``dm2s2 train`` settles both
before the run (``reader_facts.settle``). Regression inferred from labels that are all whole numbers of ten or fewer
values (``0``/``1``) is said in a WARNING: they look like classes. Names outside the reader's ``modalities`` are
ignored, with ONE warning a file listing them (``file_checks``); a listed name that is absent is a missing modality.
A missing id becomes ``"<file name>:<line or row>"``.

**Image columns** (``image_columns``, or detected with the modalities): a column of image paths, relative to the
file's folder, is read as its visual modalities (``<column>_ocr_text``, ``_labels``, ``_objects``, ``_num_faces``);
the images are extracted once into a content-keyed cache before the records are made (``image_columns``).

Bad input raises :class:`DataError` naming the file, the line (JSONL, CSV/TSV: the line the row starts on) or row
(Parquet) and the field or column; so does an empty file, or one where none of the reader's modalities occurs
(``file_checks``). Nothing is skipped silently.
"""
import logging
import os
from typing import Any, Dict, Iterable, Iterator, List, Optional, Set, Tuple

from allennlp.common.checks import ConfigurationError
from allennlp.data import DatasetReader, Instance

from dm2s2_allennlp.dataset_readers.file_checks import parse_json, text_lines
from dm2s2_allennlp.dataset_readers.image_columns import ImageColumns, ImageExtraction, detect
from dm2s2_allennlp.dataset_readers.label_fields import task_of
from dm2s2_allennlp.dataset_readers.multimodal_reader import DataError, MultimodalReader, number_of, render_value
from dm2s2_allennlp.dataset_readers.table_rows import rows, table_format

logger = logging.getLogger(__name__)

Record = Tuple[str, str, Dict[str, Any], Any]  # where, id, modality values, raw label
CLASS_LIKE = 10  # regression labels that are all whole numbers of at most this many values look like classes


@DatasetReader.register("multimodal_table")
@DatasetReader.register("multimodal_jsonl")
class MultimodalTableReader(MultimodalReader):
    """Parameters: those of :class:`MultimodalReader`, and for tables ``id_column`` (``id``), ``label_column``
    (``label``) and ``label_separator`` (none: a string label is one class or a number). Without ``modalities`` or
    ``task`` it infers them from the first file it reads (``infer_from``).

    ``image_columns``: the columns (or JSONL modalities) that hold image paths, each read as its visual modalities
    (``image_columns``, the module); a raw column name among ``modalities`` stands for its visual modalities. Left
    out, they are detected when the modalities are inferred, and none when the modalities are stated.
    ``image_extraction``: how (:class:`ImageExtraction`: backend, parts, workers, cache)."""

    can_infer = True

    def __init__(self, *args, id_column: str = "id", label_column: str = "label",
                 label_separator: Optional[str] = None, image_columns: Optional[List[str]] = None,
                 image_extraction: Optional[ImageExtraction] = None, **kwargs) -> None:
        if isinstance(image_extraction, dict):
            image_extraction = ImageExtraction(**image_extraction)
        self.extraction = image_extraction or ImageExtraction()
        if image_columns is None and kwargs.get("modalities") is not None:
            image_columns = []  # stated modalities come with their image columns stated
        self.image_columns: Optional[List[str]] = None
        self.images: Optional[ImageColumns] = None
        if image_columns is not None:
            self.set_image_columns(image_columns)
        super().__init__(*args, **kwargs)
        if label_separator == "":
            raise DataError("dataset_reader", "label_separator", "must not be empty (leave it out for one label a "
                                                                 "cell)")
        self.id_column, self.label_column, self.label_separator = id_column, label_column, label_separator

    # -- image columns ---------------------------------------------------------------------------------------------
    def set_image_columns(self, columns: List[str]) -> None:
        if len(set(columns)) != len(columns) or not all(isinstance(c, str) and c for c in columns):
            raise ConfigurationError(f"`image_columns` must be distinct column names, got {columns!r}")
        self.image_columns = list(columns)
        self.images = ImageColumns(columns, self.extraction)

    def set_modalities(self, modalities: List[str]) -> None:
        """As the base class's, with each image column named among them standing for its visual modalities."""
        if self.images is not None:
            modalities = self.images.expand(modalities)
        super().set_modalities(modalities)

    def prepare(self, file_path: str) -> None:
        """Extract the visual features of ``file_path``'s images that the cache lacks (``reader_facts.settle`` calls
        it for every data file before the run; a read calls it first)."""
        if self.images is not None and self.images.columns:
            self.images.reading(file_path).prepare((where, values) for where, _, values, _
                                                   in self.raw_records(file_path))

    def text_to_instance(self, modalities: Dict[str, Any], label: Any = None, id: Optional[str] = None,
                         **extra) -> Instance:  # type: ignore[override]
        """One record given as values (a predictor's JSON, ``predict_json``): its image columns' paths are read from
        the working directory (a record given alone has no file), extracted now if the cache lacks them."""
        if self.images is not None and any(column in modalities for column in self.images.columns):
            where = f"record {id!r}" if id else "<record>"
            reading = self.images.reading(os.path.join(os.getcwd(), "(a record given alone)"))
            reading.prepare([(where, modalities)])
            modalities = reading.values(modalities, where)
        return super().text_to_instance(modalities, label, id, **extra)

    # -- one record per format -------------------------------------------------------------------------------------
    def records(self, file_path: str) -> Iterator[Record]:
        """``(where, id, values, raw label)`` of every record of ``file_path``, in order, image columns read as their
        visual modalities (their images extracted first, where the cache lacks them)."""
        if self.images is None or not self.images.columns:
            yield from self.raw_records(file_path)
            return
        reading = self.images.reading(file_path)
        reading.prepare((where, values) for where, _, values, _ in self.raw_records(file_path))
        for where, record_id, values, label in self.raw_records(file_path):
            yield where, record_id, reading.values(values, where), label
        reading.finish()

    def raw_records(self, file_path: str) -> Iterator[Record]:
        """``(where, id, values, raw label)`` of every record of ``file_path`` as the file holds them."""
        base = os.path.basename(str(file_path))
        if table_format(file_path) is None:
            for number, line in text_lines(file_path):
                where = f"{file_path}:{number}"
                yield (where, *self.parse_line(line, where, default_id=f"{base}:{number}"))
            return
        for where, row in rows(file_path):
            record_id = row.pop(self.id_column, None)
            label = self.table_label(row.pop(self.label_column, None), where)
            if record_id is None or (isinstance(record_id, str) and not record_id.strip()):
                record_id = f"{base}:{where[len(str(file_path)):].lstrip(': ')}"  # its line, or "row N"
            yield where, str(record_id).strip(), row, label

    def parse_line(self, line: str, where: str, default_id: str) -> Tuple[str, Dict[str, Any], Any]:
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
        return str(record_id).strip(), values, record.get("label")

    def table_label(self, cell: Any, where: str) -> Any:
        """A label cell as the label rule reads it (module docstring): a separated string -> a list; in CSV/TSV a
        number the task is regression for -> that number; a typed number when the task is classification -> its
        digits, a class name; blank -> no label."""
        if self.task == "classification" and isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return render_value(cell)  # a typed class column (Parquet, a DataFrame's 0/1): its class names
        if isinstance(cell, str):
            if not cell.strip():
                return None
            if self.label_separator is not None:
                return [part.strip() for part in cell.split(self.label_separator) if part.strip()]
            number = number_of(cell)
            if number is not None and self.task in (None, "regression"):
                return number
        return cell

    # -- inference -------------------------------------------------------------------------------------------------
    def infer_from(self, file_path: str) -> None:
        """The modalities (every name in the file, in first-seen order) and the task (module docstring) of
        ``file_path``, for the ones the config left out. The whole file is scanned, in every worker alike."""
        names: Dict[str, None] = {}
        first: Optional[Tuple[Any, str]] = None
        numbers: Set[float] = set()
        every_label_a_number = True
        table = table_format(file_path) is not None
        if self.modalities is None and self.image_columns is None:
            found = detect(((where, values) for where, _, values, _ in self.raw_records(file_path)), file_path)
            self.set_image_columns(found)
            if found:  # none found need not be stated: a config that states its modalities has no image columns
                self.inferred.append("image_columns")
                logger.info("image columns: %s, detected in %s (every value a path with an image extension, and "
                            "files found); each is read as %s; state `dataset_reader.image_columns` to choose",
                            found, file_path, self.extraction.parts)
        for where, _, values, label in self.raw_records(file_path):
            names.update(dict.fromkeys(values))
            if label is None:
                continue
            first = first or (label, where)
            is_number = task_of(label) == "regression"
            every_label_a_number &= is_number
            if is_number and len(numbers) <= CLASS_LIKE:
                numbers.add(float(label))
        if self.modalities is None:
            if not names:
                raise DataError(str(file_path), "modalities", "no record names a modality, so there are no "
                                                              "modalities to infer (or state "
                                                              "`dataset_reader.modalities`)")
            missing = [column for column in self.image_columns or [] if column not in names]
            if missing:
                raise DataError(str(file_path), missing[0], f"an image column the file does not have (its columns: "
                                                            f"{list(names)})")
            self.infer_modalities(list(names), str(file_path))
        if self.task is not None:
            return
        if table and first is None:
            raise DataError(str(file_path), self.label_column,
                            f"no label: the file has no column {self.label_column!r} or it is empty in every row "
                            f"(its columns: {list(names)}); name the label column with `dataset_reader.label_column`")
        if first is None:
            return
        label, where = first
        if table and not every_label_a_number and task_of(label) == "regression":
            label = str(label)  # a CSV column of numbers and names is a column of class names
        self.infer_task(label, where)
        if self.task == "regression" and len(numbers) <= CLASS_LIKE and all(x.is_integer() for x in numbers):
            logger.warning("%s: task 'regression' inferred from labels that are all whole numbers, only %d values "
                           "(%s): they look like classes; to classify, state `dataset_reader.task: "
                           "\"classification\"` (and write the labels as strings in JSONL)", file_path, len(numbers),
                           ", ".join(f"{x:g}" for x in sorted(numbers)))

    # -- instances -------------------------------------------------------------------------------------------------
    def _read(self, file_path: str) -> Iterable[Instance]:
        if self.modalities is None or self.task is None:
            self.infer_from(file_path)
        with self.checking(file_path) as checks:
            for where, record_id, values, label in self.shard_iterable(self.records(file_path)):
                yield self.make_instance(record_id, values, label, where=where, checks=checks)


MultimodalJsonlReader = MultimodalTableReader  # the 0.5 name
