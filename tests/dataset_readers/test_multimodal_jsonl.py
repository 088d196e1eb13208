import json
import logging

import pytest
from allennlp.data import Vocabulary
from allennlp.data.fields import LabelField, MultiLabelField, TensorField

from dm2s2_allennlp.dataset_readers import DataError, MultimodalJsonlReader, render_value
from tests.conftest import FIXTURES, TINY_BERT

MOVIE_MODALITIES = ["title", "year", "length", "labels", "faces"]


def reader(encoder=TINY_BERT, **kwargs):
    kwargs.setdefault("modalities", MOVIE_MODALITIES)
    return MultimodalJsonlReader(transformer_model_name=encoder, **kwargs)


def write(tmp_path, *records, raw=None):
    path = tmp_path / "data.jsonl"
    lines = [json.dumps(r) for r in records] + ([raw] if raw is not None else [])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_render_value_rules():
    assert render_value("  Toy Story ") == "Toy Story"
    assert render_value(1995) == "1995"
    assert render_value(81.0) == "81"
    assert render_value(7.5) == "7.5"
    assert render_value(True) == "true" and render_value(False) == "false"
    assert render_value(["dog", 2, 0.5, None, ""]) == "dog, 2, 0.5"
    for missing in (None, "", "   ", [], [None, ""], float("nan")):
        assert render_value(missing) is None
    for bad in ({"a": 1}, [["nested"]], [{"a": 1}]):
        with pytest.raises(TypeError):
            render_value(bad)


def test_reads_fixture_with_both_tokenizers(encoder):
    instances = list(reader(encoder).read(str(FIXTURES / "generic" / "multilabel.jsonl")))
    assert len(instances) == 8
    first = instances[0]
    meta = first["metadata"].metadata
    assert meta["id"] == "m1"
    assert meta["modality_names"] == MOVIE_MODALITIES
    assert meta["modality_texts"] == {"title": "Toy Story", "year": "1995", "length": "81",
                                      "labels": "toy, animation, poster", "faces": "0"}
    assert len(first["modalities"].field_list) == 5
    assert isinstance(first["label"], MultiLabelField) and first["label"].labels == ["Animation", "Comedy"]
    # no special tokens inside the modality fields
    for text_field in first["modalities"].field_list:
        assert not {"[CLS]", "[SEP]", "<s>", "</s>"} & {t.text for t in text_field.tokens}
    # missing modalities are empty sequences: null length, [] labels, absent faces, "" title, {} for everything
    texts = [i["metadata"].metadata["modality_texts"] for i in instances]
    assert texts[2]["length"] is None and texts[2]["labels"] is None
    assert texts[3]["faces"] is None and texts[3]["length"] is None
    assert texts[4]["title"] is None
    assert all(len(f.tokens) == 0 for f in instances[6]["modalities"].field_list)
    assert texts[7]["faces"] == "true" and texts[7]["labels"] == "man, flag, 1"


def test_unknown_modality_warned_once(tmp_path, caplog):
    path = write(tmp_path, {"id": "a", "modalities": {"title": "x", "extra": 1}, "label": ["A"]},
                 {"id": "b", "modalities": {"title": "y", "extra": 2}, "label": ["A"]})
    with caplog.at_level(logging.WARNING):
        instances = list(reader().read(path))
    assert len(instances) == 2
    assert sum("'extra'" in r.getMessage() for r in caplog.records) == 1


def test_labels_per_task(tmp_path):
    cls = list(reader(modalities=["t"], task="classification").read(
        write(tmp_path, {"id": "1", "modalities": {"t": "a"}, "label": "yes"})))[0]
    assert isinstance(cls["label"], LabelField) and cls["label"].label == "yes"
    reg = list(reader(modalities=["t"], task="regression").read(
        write(tmp_path, {"id": "1", "modalities": {"t": "a"}, "label": 3}, {"id": "2", "modalities": {"t": "a"},
                                                                            "label": 0.25})))
    assert isinstance(reg[0]["label"], TensorField)
    assert [float(i["label"].tensor) for i in reg] == [3.0, 0.25]
    unlabeled = list(reader().read(str(FIXTURES / "generic" / "unlabeled.jsonl")))
    assert all("label" not in i.fields for i in unlabeled)


@pytest.mark.parametrize("task,label", [
    ("multilabel", "Drama"), ("multilabel", [1, 2]), ("multilabel", [""]),
    ("classification", ["a"]), ("classification", 1), ("classification", ""),
    ("regression", "0.5"), ("regression", True), ("regression", [1.0]),
])
def test_label_type_mismatch_names_file_line_and_field(tmp_path, task, label):
    path = write(tmp_path, {"id": "ok", "modalities": {"t": "a"}}, {"id": "bad", "modalities": {"t": "a"},
                                                                    "label": label})
    with pytest.raises(DataError) as info:
        list(reader(modalities=["t"], task=task).read(path))
    message = str(info.value)
    assert f"{path}:2" in message and "'label'" in message and task in message


@pytest.mark.parametrize("raw,field", [
    ('{"id": "x", "modalities": {"t": "a"', None),  # malformed JSON
    ('["not", "an", "object"]', None),
    ('{"id": "x", "label": ["A"]}', "modalities"),
    ('{"id": "x", "modalities": ["a"], "label": ["A"]}', "modalities"),
    ('{"id": "x", "modalities": {"t": {"nested": 1}}, "label": ["A"]}', "modalities.t"),
    ('{"id": ["x"], "modalities": {"t": "a"}, "label": ["A"]}', "id"),
])
def test_bad_lines_name_file_line_and_field(tmp_path, raw, field):
    path = write(tmp_path, {"id": "ok", "modalities": {"t": "a"}, "label": ["A"]}, raw=raw)
    with pytest.raises(DataError) as info:
        list(reader(modalities=["t"]).read(path))
    assert f"{path}:2:" in str(info.value)
    if field:
        assert repr(field) in str(info.value)


def test_caps_and_max_length_are_respected(encoder, tmp_path):
    long_text = " ".join(["story"] * 300)
    path = write(tmp_path, {"id": "l", "modalities": {"title": "toy story", "year": 1995, "length": long_text,
                                                      "labels": long_text, "faces": 2}, "label": ["A"]})
    capped = list(reader(encoder, max_tokens_per_modality={"labels": 7}, max_length=512).read(path))[0]
    lengths = [len(f.tokens) for f in capped["modalities"].field_list]
    assert lengths[3] == 7
    assert sum(lengths) + len(MOVIE_MODALITIES) + 1 <= 512
    small = list(reader(encoder, max_length=40).read(path))[0]
    lengths = [len(f.tokens) for f in small["modalities"].field_list]
    assert sum(lengths) + len(MOVIE_MODALITIES) + 1 == 40
    assert lengths[1] >= 1 and lengths[4] == 1  # short modalities survive; the long ones gave way


def test_vocabulary_holds_labels(tmp_path):
    instances = list(reader().read(str(FIXTURES / "generic" / "multilabel.jsonl")))
    vocab = Vocabulary.from_instances(instances)
    assert set(vocab.get_token_to_index_vocabulary("labels")) == {"Animation", "Comedy", "Action", "Drama",
                                                                  "Romance", "Short"}
    assert vocab._retained_counter["labels"]["Comedy"] == 3
