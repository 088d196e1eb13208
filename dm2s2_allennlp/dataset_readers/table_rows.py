"""The rows of a table file, chosen by its extension (a ``.gz`` after it is looked through, as for JSONL):

  * ``.csv`` / ``.tsv``: Python's ``csv`` module (RFC 4180 quoting: commas, tabs, quotes and newlines inside a
    quoted cell), a header row naming the columns, UTF-8 with or without a byte-order mark. Rows are read one at a
    time, so memory does not grow with the file. A row is named by the line it starts on; a row with more or fewer
    cells than the header, a blank or repeated column name, bytes that are not UTF-8 and a cell larger than 64 MB
    are a :class:`DataError` naming file and line.
  * ``.parquet`` / ``.pq``: pyarrow, read in batches of ``PARQUET_BATCH`` rows (memory: one row group of the file,
    as pyarrow decodes it, plus one batch); a row is named by its number (1 = the first row). Typed cells stay typed:
    numbers, lists (a multi-label cell), nulls.

``rows(path)`` yields ``(where, {column: cell})``; every other extension is not a table (``table_format`` is
``None``): the generic reader reads it as JSONL.
"""
import csv
import io
import os
from typing import Any, Dict, Iterator, Optional, Tuple

from dm2s2_allennlp.dataset_readers.file_checks import open_data, truncated_gzip_named
from dm2s2_allennlp.errors import DataError

DELIMITERS = {"csv": ",", "tsv": "\t"}
EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet", ".pq": "parquet"}
PARQUET_BATCH = 4096
CELL_LIMIT = 64 * 2**20  # characters in one CSV cell (the csv module's own default is 128 KB)


def table_format(path: str) -> Optional[str]:
    """``csv``, ``tsv`` or ``parquet`` by the file name's extension (``.gz`` looked through); ``None`` otherwise."""
    name = str(path).lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return EXTENSIONS.get(os.path.splitext(name)[1])


def rows(path: str) -> Iterator[Tuple[str, Dict[str, Any]]]:
    """``(where, {column: cell})`` for each row of the table at ``path`` (module docstring)."""
    kind = table_format(path)
    if kind == "parquet":
        yield from parquet_rows(path)
    elif kind in DELIMITERS:
        yield from delimited_rows(path, DELIMITERS[kind])
    else:
        raise ValueError(f"{path} is not a table file (.csv, .tsv, .parquet)")


def check_header(path: str, header) -> list:
    if not header or not any(name.strip() for name in header):
        raise DataError(f"{path}:1", None, "no header row: the first line must name the columns")
    names = [name.strip() for name in header]
    for number, name in enumerate(names, start=1):
        if not name:
            raise DataError(f"{path}:1", None, f"column {number} of the header has no name")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise DataError(f"{path}:1", None, f"the header names {repeated} more than once: each column needs its own name")
    return names


def delimited_rows(path: str, delimiter: str) -> Iterator[Tuple[str, Dict[str, str]]]:
    previous_limit = csv.field_size_limit(CELL_LIMIT)
    line = 0
    try:
        with io.TextIOWrapper(open_data(path), encoding="utf-8-sig", newline="") as handle, \
                truncated_gzip_named(path, lambda: line):
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            header = check_header(path, next(reader, None))
            line = reader.line_num
            for cells in reader:
                start, line = line + 1, reader.line_num
                if not cells or (len(cells) == 1 and not cells[0].strip() and len(header) > 1):
                    continue  # a blank line
                if len(cells) != len(header):
                    more = len(cells) > len(header)
                    hint = ("a value holding the separator needs quotes" if more else
                            "a quote left open swallows the lines after it, or cells are missing")
                    raise DataError(f"{path}:{start}", None, f"{len(cells)} cells, but the header has {len(header)} "
                                                             f"columns {header} ({hint})")
                yield f"{path}:{start}", dict(zip(header, cells))
    except UnicodeDecodeError as error:
        raise DataError(f"{path}:{line + 1}", None, f"not UTF-8 text (byte 0x{error.object[error.start]:02x}); save "
                                                    "the file as UTF-8") from None
    except csv.Error as error:
        hint = "; a quote opened in this row is never closed" if "end of data" in str(error) else ""
        raise DataError(f"{path}:{line + 1}", None,
                        f"unreadable {'TSV' if delimiter == chr(9) else 'CSV'} ({error}{hint})") from None
    finally:
        csv.field_size_limit(previous_limit)


def parquet_rows(path: str) -> Iterator[Tuple[str, Dict[str, Any]]]:
    import pyarrow
    import pyarrow.parquet as pq

    handle = open_data(path)
    try:
        try:
            table = pq.ParquetFile(handle)
        except (pyarrow.ArrowInvalid, OSError) as error:
            raise DataError(str(path), None, f"not a readable Parquet file ({error})") from None
        number = 0
        for batch in table.iter_batches(batch_size=PARQUET_BATCH):
            for values in batch.to_pylist():
                number += 1
                yield f"{path}: row {number}", values
    finally:
        handle.close()
