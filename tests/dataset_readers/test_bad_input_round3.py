"""Nothing silent, round 3 (issue 35), in the data layer: a line nested too deeply, a gzip file cut short, a huge
value (cut before it is tokenized, keeping exactly the pieces the record keeps), labels 0/1 inferred as regression
said in a warning, and thousands of unknown names in one warning line."""
import gzip
import json
import logging

import pytest

from dm2s2_allennlp.dataset_readers import MultimodalTableReader
from dm2s2_allennlp.errors import DataError
from tests.conftest import TINY_BERT


def reader(**kwargs):
    return MultimodalTableReader(transformer_model_name=TINY_BERT, **kwargs)


def test_a_line_nested_too_deeply_is_an_error_naming_its_line(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps({"modalities": {"t": "a"}, "label": "x"}) + "\n" + "[" * 100000 + "]" * 100000 + "\n")
    with pytest.raises(DataError, match="nested too deeply") as error:
        list(reader().read(str(path)))
    assert error.value.where == f"{path}:2"


@pytest.mark.parametrize("name", ["cut.jsonl.gz", "cut.csv.gz"])
def test_a_gzip_file_cut_short_names_the_file(tmp_path, name):
    lines = [json.dumps({"modalities": {"t": f"value {k}"}, "label": "x"}) for k in range(2000)]
    body = "\n".join(lines) if name.endswith("jsonl.gz") else "t,label\n" + "\n".join(f"v{k},x" for k in range(2000))
    whole = gzip.compress(body.encode())
    path = tmp_path / name
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataError, match="compressed file ends early") as error:
        list(reader().read(str(path)))
    assert error.value.where.startswith(f"{path}:")


def test_a_huge_value_is_cut_before_tokenizing_and_keeps_exactly_the_kept_pieces(tmp_path):
    words = " ".join(f"word{k % 97} tail" for k in range(40000))  # about 470 KB of one modality
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"modalities": {"plot": words, "title": "short title"}, "label": "x"}) + "\n")
    read = reader(max_length=64)
    seen = []
    tokenize = read.tokenizer.tokenize
    read.tokenizer.tokenize = lambda text: seen.append(len(text)) or tokenize(text)
    (instance,) = read.read(str(path))
    assert max(seen) < 10000  # the tokenizer never saw the whole value
    full = tokenize(words)
    kept = instance["metadata"]["modality_tokens"]
    assert kept[0] == [t.text for t in full[: len(kept[0])]] and len(kept[0]) + len(kept[1]) == 64 - 3


def test_thousands_of_unknown_names_are_one_warning_line(tmp_path, caplog):
    record = {"modalities": {"title": "x", **{f"extra{k}": 1 for k in range(3000)}}, "label": "x"}
    path = tmp_path / "wide.jsonl"
    path.write_text(json.dumps(record) + "\n")
    with caplog.at_level(logging.WARNING):
        list(reader(modalities=["title"]).read(str(path)))
    lines = [r.getMessage() for r in caplog.records if "not among the reader's modalities" in r.getMessage()]
    assert len(lines) == 1 and "3000 name(s)" in lines[0] and "2990 more" in lines[0]


def test_labels_0_and_1_inferred_as_regression_are_said_in_a_warning(tmp_path, caplog):
    path = tmp_path / "binary.jsonl"
    path.write_text("".join(json.dumps({"modalities": {"t": f"v{k}"}, "label": k % 2}) + "\n" for k in range(6)))
    with caplog.at_level(logging.WARNING):
        read = reader()
        list(read.read(str(path)))
    assert read.task == "regression"
    assert any("look like classes" in r.getMessage() and "classification" in r.getMessage() for r in caplog.records
               if r.levelno == logging.WARNING)
