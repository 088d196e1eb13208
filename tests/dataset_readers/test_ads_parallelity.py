import logging

import pytest

from dm2s2_allennlp.dataset_readers import AdsParallelityReader, DataError
from dm2s2_allennlp.dataset_readers.folds import stratified_folds
from tests.conftest import FIXTURES

CSV = str(FIXTURES / "ads_parallelity" / "ads_parallelity_dataset.csv")
FEATURES = str(FIXTURES / "ads_parallelity" / "features")


def read(encoder=None, **kwargs):
    if encoder:
        kwargs["transformer_model_name"] = encoder
    else:
        kwargs["transformer_model_name"] = str(FIXTURES / "encoders" / "tiny-bert")
    return {i["metadata"]["id"]: i for i in AdsParallelityReader(features_dir=FEATURES, **kwargs).read(CSV)}


def test_majority_vote_fine_class_and_modalities(encoder, caplog):
    with caplog.at_level(logging.WARNING):
        images = read(encoder)
    assert len(images) == 12
    label = {k: v["label"].label for k, v in images.items()}
    fine = {k: v["metadata"]["fine_class"] for k, v in images.items()}
    assert label["100007"] == "parallel" and fine["100007"] == "parallel_equivalent"  # 2 of 3 parallel
    assert label["100012"] == "non_parallel" and fine["100012"] == "non_parallel"
    assert label["100030"] == "parallel" and fine["100030"] == "parallel_non_equivalent"
    assert label["100043"] == "non_parallel"  # 1-1 tie -> non_parallel by default
    assert label["100068"] == "non_parallel" and label["100074"] == "parallel"
    texts = images["100007"]["metadata"]["modality_texts"]
    assert texts["transcription"] == "buy now best sale"  # the majority answer, not the upper-cased one
    assert texts["message"] == "buy this product" and texts["naturalness"] == "unnatural"
    assert texts["ocr_text"] == "BUY NOW BEST SALE" and texts["num_faces"] == "3"
    assert texts["labels"] == "Advertising, Font" and texts["objects"] == "Person"
    assert images["100030"]["metadata"]["modality_texts"]["labels"] == "Car"
    assert images["100012"]["metadata"]["modality_texts"]["ocr_text"] is None  # no features file
    assert "no features: 10, with features: 2" in " ".join(r.getMessage() for r in caplog.records)


def test_tie_rule_is_configurable():
    assert read(tie="parallel")["100043"]["label"].label == "parallel"
    skipped = read(tie="skip")
    assert "100043" not in skipped and len(skipped) == 11


def test_folds_are_deterministic_stratified_and_disjoint():
    everything = read()
    folds = {k: v["metadata"]["fold"] for k, v in everything.items()}
    assert folds == {k: v["metadata"]["fold"] for k, v in read().items()}  # same seed, same folds
    assert sorted(folds.values()).count(0) in (2, 3)
    for fold in range(5):
        test = set(read(fold=fold, fold_role="test"))
        train = set(read(fold=fold, fold_role="train"))
        assert test and train and not test & train and test | train == set(everything)
        assert test == {k for k, f in folds.items() if f == fold}
    # stratified: each fine class is spread over the folds as evenly as the deal allows
    for stratum in ("non_parallel", "parallel_equivalent", "parallel_non_equivalent"):
        members = [folds[k] for k, v in everything.items() if v["metadata"]["fine_class"] == stratum]
        counts = [members.count(f) for f in range(5)]
        assert max(counts) - min(counts) <= 1
    # validation = fold i+1; the #role suffix overrides fold_role
    reader = AdsParallelityReader(features_dir=FEATURES, transformer_model_name=str(FIXTURES / "encoders" /
                                                                                    "tiny-bert"), fold=4)
    ids = {role: {i["metadata"]["id"] for i in reader.read(f"{CSV}#{role}")} for role in
           ("test", "validation", "train_minus_validation", "train")}
    assert ids["test"] == {k for k, f in folds.items() if f == 4}
    assert ids["validation"] == {k for k, f in folds.items() if f == 0}
    assert ids["train_minus_validation"] == set(everything) - ids["test"] - ids["validation"]
    assert ids["train"] == set(everything) - ids["test"]
    assert read(seed=99).keys() == everything.keys()
    assert {k: v["metadata"]["fold"] for k, v in read(seed=99).items()} != folds
    # the fold function itself is a pure function of keys, strata, k and seed
    strata = {f"img{i}": i % 3 for i in range(30)}
    assert stratified_folds(strata, 5, 1) == stratified_folds(dict(reversed(list(strata.items()))), 5, 1)


def test_columns_by_header_name_and_bad_rows(tmp_path):
    named = read(columns={"image": "image", "parallelity": "parallelity", "message": "message"})
    assert named.keys() == read().keys()
    with pytest.raises(DataError, match="not in the header"):
        read(columns={"message": "slogan"})
    bad = tmp_path / "ads.csv"
    lines = open(CSV, encoding="utf-8").read().splitlines()
    bad.write_text("\n".join(lines[:3] + ["100999.png,only two"] + lines[3:]) + "\n")
    with pytest.raises(DataError, match=rf"{bad}:4.*2 columns"):
        list(AdsParallelityReader(transformer_model_name=str(FIXTURES / "encoders" / "tiny-bert")).read(str(bad)))


def read_text(tmp_path, text, **kwargs):
    path = tmp_path / "ads.csv"
    path.write_text(text, encoding="utf-8")
    reader = AdsParallelityReader(features_dir=FEATURES, transformer_model_name=str(FIXTURES / "encoders" / "tiny-bert"),
                                  **kwargs)
    return {i["metadata"]["id"]: i for i in reader.read(str(path))}


def fixture_lines():
    with open(CSV, encoding="utf-8") as handle:
        return handle.read().splitlines(keepends=True)


def test_a_file_without_its_header_row_is_refused_instead_of_losing_its_first_row(tmp_path):
    with pytest.raises(DataError, match=r"ads.csv:1: the first row .*100007.png.* is a data row, not the header"):
        read_text(tmp_path, "".join(fixture_lines()[1:]))


def test_an_unquoted_comma_is_refused_naming_its_line_instead_of_flipping_a_vote(tmp_path):
    lines = fixture_lines()
    assert lines[12].startswith("100043.png,drink milk,")  # line 13: the non-parallel vote of a 1-1 tie
    lines[12] = lines[12].replace("drink milk", "drink milk, now", 1)
    with pytest.raises(DataError, match=r"ads.csv:13: row has 8 columns, the header has 7: a comma inside a field"):
        read_text(tmp_path, "".join(lines))


def test_a_stray_quote_is_reported_at_the_line_where_its_row_starts(tmp_path):
    lines = fixture_lines()
    lines[13] = lines[13].replace("the new car", '"the new car', 1)  # line 14 opens a field ...
    with pytest.raises(DataError, match=r"ads.csv:14: row has \d+ columns, the header has 7; it runs from line 14 "
                                        r"to line 32: a `\"` that opens a field on line 14"):
        read_text(tmp_path, "".join(lines))  # ... that the quote on line 32 closes
    lines[19] = lines[19].replace("stop smoking", 'stop" smoking', 1)
    with pytest.raises(DataError, match=r"ads.csv:14: a field of this row holds whole lines that look like rows of "
                                        r"their own; it runs from line 14 to line 20"):
        read_text(tmp_path, "".join(lines))  # ... that a quote on line 20 closes, giving a row of 7 columns again


def test_a_quoted_comma_is_fine(tmp_path):
    lines = fixture_lines()
    lines[12] = lines[12].replace("drink milk", '"drink milk, now"', 1)
    images = read_text(tmp_path, "".join(lines))
    assert images["100043"]["label"].label == "non_parallel"  # the tie is unchanged
