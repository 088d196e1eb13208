"""The generic reader reads tables (issue 33): CSV and TSV through the csv module (quoted separators and newlines, a
byte-order mark, gzip), Parquet through pyarrow (typed cells, list labels, nulls); one column a modality besides the
id and label columns, an empty cell a missing modality; the task from the labels; bad rows named by file, line and
column."""
import gzip
import logging

import pandas as pd
import pytest

from dm2s2_allennlp.dataset_readers import MultimodalTableReader
from dm2s2_allennlp.errors import DataError
from tests.conftest import TINY_BERT


def reader(**kwargs):
    return MultimodalTableReader(transformer_model_name=TINY_BERT, **kwargs)


def texts(instances):
    return [i["metadata"]["modality_texts"] for i in instances]


def test_csv_quoting_a_bom_and_empty_cells(tmp_path):
    path = tmp_path / "films.csv"
    path.write_bytes('\ufeffid,title,year,plot,label\n'
                     'r1,"Heat, the film",1995,"a heist\nin ""LA""",Crime\n'
                     'r2,Fargo,1996,,Comedy\n'
                     '\n'
                     'r3,Up,,balloons,Comedy\n'.encode("utf-8"))
    read = reader()
    instances = list(read.read(str(path)))
    assert read.modalities == ["title", "year", "plot"] and read.task == "classification"
    assert texts(instances) == [{"title": "Heat, the film", "year": "1995", "plot": 'a heist\nin "LA"'},
                                {"title": "Fargo", "year": "1996", "plot": None},
                                {"title": "Up", "year": None, "plot": "balloons"}]
    assert [i["metadata"]["id"] for i in instances] == ["r1", "r2", "r3"]
    assert [i["label"].label for i in instances] == ["Crime", "Comedy", "Comedy"]
    assert instances[0]["numbers"].tensor[1].tolist()[1] == 1.0  # "1995" is a number, as in JSONL


def test_tsv_and_gzip_and_numeric_labels_are_regression(tmp_path):
    path = tmp_path / "ads.tsv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("keyword\ttitle\tlabel\ncar\tnew, cheap car\t0.25\nhouse\tbig house\t1,200.5\n")
    read = reader()
    instances = list(read.read(str(path)))
    assert read.task == "regression" and [float(i["label"].tensor) for i in instances] == [0.25, 1200.5]
    assert texts(instances)[0] == {"keyword": "car", "title": "new, cheap car"}
    assert [i["metadata"]["id"] for i in instances] == ["ads.tsv.gz:2", "ads.tsv.gz:3"]  # no id column: the line


def test_a_label_column_of_numbers_and_names_is_classes_and_whole_number_regression_warns(tmp_path, caplog):
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("t,label\na,1\nb,two\n")
    read = reader()
    assert [i["label"].label for i in read.read(str(mixed))] == ["1", "two"] and read.task == "classification"
    binary = tmp_path / "binary.csv"
    binary.write_text("t,label\na,1\nb,0\nc,1\n")
    with caplog.at_level(logging.WARNING):
        read = reader()
        list(read.read(str(binary)))
    assert read.task == "regression"
    assert any("look like classes" in r.getMessage() and "0, 1" in r.getMessage() for r in caplog.records)
    stated = reader(task="classification")
    assert [i["label"].label for i in stated.read(str(binary))] == ["1", "0", "1"]


def test_a_separator_makes_string_labels_multilabel(tmp_path):
    path = tmp_path / "genres.csv"
    path.write_text("title,label\nHeat,Crime|Drama\nUp,Animation\n")
    read = reader(label_separator="|")
    instances = list(read.read(str(path)))
    assert read.task == "multilabel" and [list(i["label"].labels) for i in instances] == [["Crime", "Drama"],
                                                                                          ["Animation"]]


@pytest.mark.parametrize("body, line, message", [
    ("id,title,label\nr1,Heat,Crime,extra\n", 2, "4 cells, but the header has 3 columns"),
    ("id,title,label\nr1,Heat\n", 2, "2 cells, but the header has 3 columns"),
    ("id,title,label\nr1,Heat,Crime\nr2,\"Up,Comedy\nr3,x,y\n", 3, "quote opened in this row is never closed"),
    ("id,title,title\nr1,a,b\n", 1, "more than once"),
    ("id,,label\nr1,a,b\n", 1, "column 2 of the header has no name"),
])
def test_bad_rows_and_headers_name_the_file_and_line(tmp_path, body, line, message):
    path = tmp_path / "bad.csv"
    path.write_text(body)
    with pytest.raises(DataError, match=message) as error:
        list(reader(task="classification").read(str(path)))
    assert error.value.where == f"{path}:{line}"


def test_a_missing_label_column_names_the_columns_found(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text("id,title,genre\nr1,Heat,Crime\n")
    with pytest.raises(DataError, match=r"no column 'label'.*\['title', 'genre'\].*label_column"):
        list(reader().read(str(path)))
    read = reader(label_column="genre")
    assert [i["label"].label for i in read.read(str(path))] == ["Crime"] and read.modalities == ["title"]


def test_parquet_keeps_types_list_labels_and_nulls(tmp_path):
    path = tmp_path / "films.parquet"
    pd.DataFrame({"id": ["a", "b"], "title": ["Heat", None], "year": [1995, None], "tags": [["x", "y"], []],
                  "label": [["Crime", "Drama"], ["Comedy"]]}).to_parquet(path, index=False)
    read = reader()
    instances = list(read.read(str(path)))
    assert read.task == "multilabel" and read.modalities == ["title", "year", "tags"]
    assert texts(instances) == [{"title": "Heat", "year": "1995", "tags": "x, y"},
                                {"title": None, "year": None, "tags": None}]
    assert [sorted(i["label"].labels) for i in instances] == [["Crime", "Drama"], ["Comedy"]]
    typed = tmp_path / "typed.parquet"
    pd.DataFrame({"title": ["a", "b"], "label": [0, 1]}).to_parquet(typed, index=False)  # a DataFrame's 0/1 classes
    assert [i["label"].label for i in reader(task="classification").read(str(typed))] == ["0", "1"]
    bad = tmp_path / "bad.parquet"
    pd.DataFrame({"title": [{"a": 1}], "label": ["x"]}).to_parquet(bad, index=False)
    with pytest.raises(DataError, match="row 1") as error:
        list(reader().read(str(bad)))
    assert error.value.field == "modalities.title"
    (tmp_path / "not.parquet").write_text("id,title\n")
    with pytest.raises(DataError, match="not a readable Parquet file"):
        list(reader().read(str(tmp_path / "not.parquet")))


def test_a_prediction_table_without_a_label_column_is_unlabeled(tmp_path):
    path = tmp_path / "new.csv"
    path.write_text("title,year\nHeat,1995\n")
    (instance,) = reader(modalities=["title", "year"], task="classification").read(str(path))
    assert "label" not in instance
