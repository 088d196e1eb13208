"""Every bad input of the generic and the paper readers ends in a clear error naming the file, the line and the
field (what to do included), or in a counted, logged skip -- never a crash half way or a silent result."""
import csv
import json
import logging

import pytest

from dm2s2_allennlp.dataset_readers import AdsParallelityReader, DataError, MultimodalJsonlReader
from tests.conftest import FIXTURES, TINY_BERT

ADS = FIXTURES / "ads_parallelity" / "ads_parallelity_dataset.csv"


def reader(**kwargs):
    kwargs.setdefault("modalities", ["title", "year"])
    return MultimodalJsonlReader(transformer_model_name=TINY_BERT, max_length=64, **kwargs)


def lines(tmp_path, *records, raw=None, name="data.jsonl"):
    path = tmp_path / name
    text = "".join(json.dumps(r) + "\n" for r in records) + (raw or "")
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_bytes_that_are_not_utf8_name_the_line_and_column(tmp_path):
    path = tmp_path / "latin1.jsonl"
    good = json.dumps({"modalities": {"title": "ok"}, "label": ["A"]}).encode()
    path.write_bytes(good + b"\n" + '{"modalities": {"title": "caf\xe9"}, "label": ["A"]}\n'.encode("latin-1"))
    with pytest.raises(DataError, match=r"latin1.jsonl:2: not UTF-8 text \(byte 0xe9 at column 30\)"):
        list(reader().read(str(path)))


def test_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "x", "modalities": {"title": "ok"}, "label": ["A"]}).encode())
    assert [i["metadata"]["id"] for i in reader().read(str(path))] == ["x"]


def test_a_huge_integer_is_a_data_error(tmp_path):
    path = lines(tmp_path, raw='{"modalities": {"title": "ok", "year": ' + "9" * 5000 + '}, "label": ["A"]}\n')
    with pytest.raises(DataError, match=r"data.jsonl:1: unreadable JSON value"):
        list(reader().read(path))


def test_regression_labels_beyond_32_bit_floats_are_rejected(tmp_path):
    path = lines(tmp_path, {"modalities": {"title": "a"}, "label": 2.0}, {"modalities": {"title": "b"}, "label": 1e300})
    with pytest.raises(DataError, match=r"data.jsonl:2: field 'label': .*32-bit float"):
        list(reader(task="regression").read(path))


def test_a_file_mixing_labeled_and_unlabeled_records_names_the_line(tmp_path):
    path = lines(tmp_path, {"modalities": {"title": "a"}, "label": ["A"]}, {"modalities": {"title": "b"}})
    with pytest.raises(DataError, match=r"data.jsonl:2: field 'label': this record has no label, but the file's "
                                        r"first record \(.*data.jsonl:1\) had one"):
        list(reader().read(path))


def test_an_empty_file_is_an_error(tmp_path):
    path = lines(tmp_path, raw="\n\n")
    with pytest.raises(DataError, match="no records"):
        list(reader().read(path))


def test_modality_names_that_match_nothing(tmp_path, caplog):
    path = lines(tmp_path, {"modalities": {"Title": "a", "Year": 1}, "label": ["A"]},
                 {"modalities": {"Title": "b"}, "label": ["B"]})
    with pytest.raises(DataError, match=r"none of the reader's modalities \['title', 'year'\] occurs in any of its 2 "
                                        r"records; the data's names are \['Title', 'Year'\]"):
        list(reader().read(path))
    half = lines(tmp_path, {"modalities": {"title": "a", "Year": 1}, "label": ["A"]}, name="half.jsonl")
    with caplog.at_level(logging.WARNING):
        assert len(list(reader().read(half))) == 1
    assert any("modality 'year' is missing in all 1 records (the data has 'Year')" in r.getMessage()
               for r in caplog.records)


def ads_rows():
    with open(ADS, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def write_rows(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return str(path)


def labels_of(path, **kwargs):
    ads = AdsParallelityReader(transformer_model_name=TINY_BERT, features_dir=str(FIXTURES / "ads_parallelity" /
                                                                                   "features"), **kwargs)
    return {i["metadata"]["id"]: i["label"].label for i in ads.read(path)}


@pytest.mark.parametrize("coding", [("1", "0"), ("true", "false"), ("yes", "no"), ("Parallel", "Non-Parallel")])
def test_ads_parallelity_label_codings_read_the_same(tmp_path, coding):
    rows = ads_rows()
    recoded = [rows[0]] + [row[:6] + [coding[0] if row[6].strip().lower() == "parallel" else coding[1]]
                           for row in rows[1:]]
    assert labels_of(write_rows(tmp_path / "coded.csv", recoded)) == labels_of(str(ADS))


def test_ads_parallelity_wrong_column_fails_loudly(tmp_path):
    # the parallelity role pointed at the transcription column: every answer is unknown
    with pytest.raises(DataError, match=r"ads_parallelity_dataset.csv:2: field 'parallelity': unknown answer "
                                        r"'buy now best sale' \(column 1\)"):
        labels_of(str(ADS), columns={"parallelity": 1})


def test_ad_lp_with_a_misnamed_target_stops_training_saying_why(tmp_path):
    from allennlp.commands.train import train_model
    from allennlp.common import Params

    records = [json.loads(line) for line in (FIXTURES / "ad_lp" / "ad_lp.jsonl").read_text().splitlines() if line]
    for record in records:
        record["conversion"] = record.pop("conversion_rate", None)
    path = lines(tmp_path, *records, name="ads.jsonl")
    params = Params.from_file(str(FIXTURES / "configs" / "ad_lp.jsonnet"),
                              json.dumps({"train_data_path": path, "validation_data_path": path}))
    with pytest.raises(Exception, match=r"a training batch without labels \(records \['ad-001'.*ad_lp: "
                                        r"`conversion_rate`"):
        train_model(params, str(tmp_path / "run"))
