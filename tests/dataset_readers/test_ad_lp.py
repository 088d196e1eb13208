import json
import logging

import pytest

from dm2s2_allennlp.commands.group_split import assign_groups, group_split
from dm2s2_allennlp.dataset_readers import AdLpReader, DataError
from tests.conftest import FIXTURES, ROOT, TINY_BERT, TINY_ROBERTA

DATA = str(FIXTURES / "ad_lp" / "ad_lp.jsonl")
TINY_JA = str(FIXTURES / "encoders" / "tiny-bert-ja")


@pytest.mark.parametrize("encoder", [TINY_JA, TINY_BERT, TINY_ROBERTA],
                         ids=["japanese-mecab-wordpiece", "bert-wordpiece", "roberta-bpe"])
def test_schema_fields_and_target(encoder, caplog):
    with caplog.at_level(logging.WARNING):
        ads = {i["metadata"]["id"]: i for i in AdLpReader(transformer_model_name=encoder).read(DATA)}
    assert len(ads) == 10
    first = ads["ad-001"]["metadata"]
    assert first["ad_group_id"] == "g-01"
    texts = first["modality_texts"]
    assert texts["keyword"] == "ラーメン 予約" and texts["title_3"] is None and texts["match_type"] == "EXACT"
    assert texts["safe_search"].startswith("adult very unlikely, spoof unlikely")
    assert texts["num_faces"] == "0" and texts["lighthouse_performance"] == "87"
    assert float(ads["ad-001"]["label"].tensor) == pytest.approx(0.0312)
    assert float(ads["ad-002"]["label"].tensor) == 0.0
    assert ads["ad-002"]["metadata"]["modality_texts"]["safe_search"].endswith("racy unlikely")  # ints
    assert ads["ad-004"]["metadata"]["modality_texts"]["lp_text"] is None
    assert "missing lp_text: 1" in " ".join(r.getMessage() for r in caplog.records)


def test_mecab_segments_japanese_before_wordpiece():
    ad = next(iter(AdLpReader(transformer_model_name=TINY_JA, modalities=["title_1"]).read(DATA)))
    tokens = ad["metadata"]["modality_tokens"][0]
    # MeCab (unidic-lite) words, each a whole WordPiece: not characters, not [UNK]
    assert tokens == ["東京", "の", "美味しい", "ラーメン", "店"]


def test_required_fields_and_bad_lines(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "x", "keyword": "a", "conversion_rate": 0.1}\n')
    with pytest.raises(DataError, match=rf"{path}:1: field 'ad_group_id'"):
        list(AdLpReader(transformer_model_name=TINY_BERT).read(str(path)))
    path.write_text('{"id": "x", "ad_group_id": "g", "conversion_rate": "high"}\n')
    with pytest.raises(DataError, match="'label'.*regression"):
        list(AdLpReader(transformer_model_name=TINY_BERT).read(str(path)))
    path.write_text('{"id": "x", "ad_group_id": "g", "safe_search": "safe"}\n')
    with pytest.raises(DataError, match="'safe_search'"):
        list(AdLpReader(transformer_model_name=TINY_BERT).read(str(path)))


def test_group_split_keeps_every_group_in_one_split(tmp_path):
    summary = group_split(DATA, str(tmp_path), fractions=(0.6, 0.2, 0.2), seed=3)
    seen = {}
    total = 0
    for split in ("train", "validation", "test"):
        for line in (tmp_path / f"{split}.jsonl").read_text().splitlines():
            group = json.loads(line)["ad_group_id"]
            assert seen.setdefault(group, split) == split  # no group in two splits
            total += 1
    assert total == 10 and sum(s["records"] for s in summary.values()) == 10
    assert all(s["records"] > 0 for s in summary.values())
    again = tmp_path / "again"
    group_split(DATA, str(again), fractions=(0.6, 0.2, 0.2), seed=3)
    for split in ("train", "validation", "test"):
        assert (again / f"{split}.jsonl").read_text() == (tmp_path / f"{split}.jsonl").read_text()
    # on many groups the split sizes follow the fractions
    sizes = {f"g{i}": 1 + i % 4 for i in range(2000)}
    assignment = assign_groups(sizes, (0.7, 0.175, 0.125), seed=0)
    records = {s: sum(n for g, n in sizes.items() if assignment[g] == s) for s in ("train", "validation", "test")}
    assert records["train"] / sum(sizes.values()) == pytest.approx(0.7, abs=0.01)
    assert records["test"] / sum(sizes.values()) == pytest.approx(0.125, abs=0.01)


def test_group_split_command(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "allennlp", "group-split", DATA, str(tmp_path), "--seed", "5"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    summary = json.loads((tmp_path / "split_summary.json").read_text())
    assert sum(s["records"] for s in summary["splits"].values()) == 10


def test_group_split_reads_a_bom_and_one_group_written_with_blanks_stays_in_one_split(tmp_path):
    import json as _json

    path = tmp_path / "ads.jsonl"
    records = [{"ad_group_id": group, "k": k} for k, group in enumerate(["g-01 ", "g-01", " g-01", "g-02", "g-03"] * 4)]
    path.write_bytes(("\ufeff" + "".join(_json.dumps(r) + "\n" for r in records)).encode("utf-8"))
    group_split(str(path), str(tmp_path / "out"), fractions=(0.4, 0.3, 0.3), seed=1)
    where = {}
    for split in ("train", "validation", "test"):
        for line in open(tmp_path / "out" / f"{split}.jsonl", encoding="utf-8"):
            where.setdefault(_json.loads(line)["ad_group_id"].strip(), set()).add(split)
    assert sorted(where) == ["g-01", "g-02", "g-03"] and all(len(splits) == 1 for splits in where.values())
