"""The second round of bad inputs (issue 26): every spelling of a missing modality is seen as missing, repeated ids,
a key given twice in one record, label spellings that differ only in case, a directory or a gzip file as the data path,
MM-IMDB splits that repeat or share films -- each a clear error naming file and line, or a warning; none silent."""
import gzip
import json
import logging
import shutil

import pytest

from dm2s2_allennlp.dataset_readers import DataError, MmImdbReader, MultimodalJsonlReader
from tests.conftest import FIXTURES, TINY_BERT


def reader(**kwargs):
    kwargs.setdefault("modalities", ["title", "year"])
    return MultimodalJsonlReader(transformer_model_name=TINY_BERT, max_length=64, **kwargs)


def write(tmp_path, text, name="data.jsonl"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def warnings_of(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("missing", ["null", "NaN", '"   "', '""', "[]"])
def test_every_spelling_of_missing_in_every_record_is_reported(tmp_path, caplog, missing):
    text = "".join(f'{{"id": "r{i}", "modalities": {{"title": "t{i}", "year": {missing}}}, "label": ["A"]}}\n'
                   for i in range(3))
    with caplog.at_level(logging.WARNING):
        instances = list(reader().read(write(tmp_path, text)))
    assert all(i["metadata"]["modality_texts"]["year"] is None for i in instances)
    assert any("modality 'year' is missing in all 3 records" in w for w in warnings_of(caplog)), warnings_of(caplog)


def test_ids_given_to_more_than_one_record_are_reported(tmp_path, caplog):
    records = [{"id": "m1", "modalities": {"title": "a"}, "label": ["A"]},
               {"id": "m2", "modalities": {"title": "b"}, "label": ["B"]},
               {"id": "m1", "modalities": {"title": "c"}, "label": ["A"]}]
    with caplog.at_level(logging.WARNING):
        assert len(list(reader().read(write(tmp_path, "".join(json.dumps(r) + "\n" for r in records))))) == 3
    (warning,) = [w for w in warnings_of(caplog) if "more than one record" in w]
    assert "1 id(s)" in warning and "'m1' at " in warning and "data.jsonl:1, " in warning and "data.jsonl:3" in warning


def test_a_key_given_twice_in_one_record_is_an_error_naming_the_key(tmp_path):
    text = ('{"id": "a", "modalities": {"title": "x"}, "label": ["A"]}\n'
            '{"id": "b", "modalities": {"title": "y"}, "label": ["A"], "label": ["B"]}\n')
    with pytest.raises(DataError, match=r"data.jsonl:2: field 'label': given twice in one object"):
        list(reader().read(write(tmp_path, text)))


def test_label_spellings_that_differ_only_in_case_or_blanks_are_reported(tmp_path, caplog):
    labels = ["parallel", " Parallel", "non_parallel ", "non_parallel", "parallel"]
    text = "".join(json.dumps({"id": f"r{i}", "modalities": {"title": f"t{i}"}, "label": label}) + "\n"
                   for i, label in enumerate(labels))
    with caplog.at_level(logging.WARNING):
        instances = list(reader(task="classification").read(write(tmp_path, text)))
    # blanks around a label are dropped; case is kept (two classes), and said
    assert [i["label"].label for i in instances] == ["parallel", "Parallel", "non_parallel", "non_parallel", "parallel"]
    (warning,) = [w for w in warnings_of(caplog) if "differ only in case or inner blanks" in w]
    assert "'Parallel' / 'parallel'" in warning and "non_parallel" not in warning


def test_a_directory_as_the_data_path_says_so(tmp_path):
    with pytest.raises(DataError, match=r"is a directory, not a data file: name the file inside it"):
        list(reader().read(str(tmp_path)))


def test_a_gzip_compressed_file_is_read_like_the_plain_one(tmp_path):
    plain = (FIXTURES / "generic" / "multilabel.jsonl").read_bytes()
    for name in ("data.jsonl.gz", "compressed_without_suffix.jsonl"):
        (tmp_path / name).write_bytes(gzip.compress(plain))
        modalities = ["title", "year", "length", "labels", "faces"]
        compressed = list(reader(modalities=modalities).read(str(tmp_path / name)))
        expected = list(reader(modalities=modalities).read(str(FIXTURES / "generic" / "multilabel.jsonl")))
        assert [i["metadata"]["modality_texts"] for i in compressed] == \
               [i["metadata"]["modality_texts"] for i in expected]


def test_mmimdb_films_listed_twice_or_in_two_splits_are_reported(tmp_path, caplog):
    root = tmp_path / "mmimdb"
    shutil.copytree(FIXTURES / "mmimdb" / "mmimdb", root)
    splits = json.loads((root / "split.json").read_text())
    splits["train"].append("0114709")  # twice in train
    splits["test"].append("0112302")  # a training film in test
    (root / "split.json").write_text(json.dumps(splits))
    with caplog.at_level(logging.WARNING):
        films = list(MmImdbReader(features_dir=str(FIXTURES / "mmimdb" / "features"),
                                  transformer_model_name=TINY_BERT).read(f"{root}#train"))
    assert len(films) == 6  # read as listed
    messages = warnings_of(caplog)
    assert any("1 film(s) listed more than once in 'train', e.g. ['0114709']" in m for m in messages), messages
    assert any("1 film(s) of 'train' are also in 'test', e.g. ['0112302']" in m for m in messages), messages
