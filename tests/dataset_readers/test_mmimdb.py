import json
import logging
import shutil

import pytest

from dm2s2_allennlp.dataset_readers import MMIMDB_GENRES, DataError, MmImdbReader
from tests.conftest import FIXTURES

ROOT = FIXTURES / "mmimdb" / "mmimdb"
FEATURES = FIXTURES / "mmimdb" / "features"


def read(path, encoder, **kwargs):
    return {i["metadata"]["id"]: i for i in MmImdbReader(features_dir=str(FEATURES), transformer_model_name=encoder,
                                                          **kwargs).read(path)}


def test_train_split_modalities_and_labels(encoder, caplog):
    with caplog.at_level(logging.WARNING):
        films = read(f"{ROOT}#train", encoder)
    assert list(films) == ["0114709", "0113497", "0112302", "0114576", "0113189"]  # ids stay strings, stripped
    toy = films["0114709"]["metadata"]
    assert toy["modality_names"] == ["title", "plot", "ocr_text", "num_faces", "labels", "objects"]
    texts = toy["modality_texts"]
    assert texts["title"] == "Toy Story"
    assert texts["plot"].startswith("Woody, a good-hearted cowboy doll") and "::" not in texts["plot"]
    assert texts["plot"].endswith("home planet.")  # the longest entry, author stripped
    assert texts["ocr_text"] == "TOY STORY DISNEY PIXAR" and texts["num_faces"] == "2"
    assert texts["labels"] == "Cartoon, Toy, Poster" and texts["objects"] == "Person, Toy"
    assert films["0114709"]["label"].labels == ["Animation", "Adventure", "Comedy", "Family", "Fantasy"]
    # plot list empty -> plot outline; Talk-Show dropped from the target, the film kept
    grumpier = films["0112302"]
    assert grumpier["metadata"]["modality_texts"]["plot"].startswith("John and Max")
    assert grumpier["label"].labels == ["Comedy", "Romance"]
    assert grumpier["metadata"]["modality_texts"]["num_faces"] == "0"  # a response without faces: 0 faces
    # only non-GMU genres -> empty target, film kept; a whitespace-only plot entry is ignored
    sudden = films["0114576"]
    assert sudden["label"].labels == [] and "::" not in sudden["metadata"]["modality_texts"]["plot"]
    # no title, no features file -> missing modalities
    bond = films["0113189"]["metadata"]["modality_texts"]
    assert bond["title"] is None and bond["ocr_text"] is None and bond["num_faces"] is None
    assert all(len(f.tokens) == 0 for f in films["0113189"]["modalities"].field_list[2:])
    report = " ".join(r.getMessage() for r in caplog.records)
    for counted in ("missing title: 1", "genre dropped from the target (News): 1", "Talk-Show", "no features: 2",
                    "plot taken from 'plot outline': 1", "empty target): 1"):
        assert counted in report


def test_split_by_suffix_or_parameter_and_subset_of_modalities(encoder):
    assert list(read(f"{ROOT}#dev", encoder)) == ["0113228"]
    assert list(read(f"{ROOT}/split.json#test", encoder)) == ["0112760", "0113041"]
    assert list(read(str(ROOT), encoder, split="test")) == ["0112760", "0113041"]
    films = read(f"{ROOT}#test", encoder, modalities=["title", "ocr_text"])
    assert films["0112760"]["metadata"]["modality_texts"] == {"title": "Cutthroat Island",
                                                               "ocr_text": "CUTTHROAT ISLAND"}
    assert len(films["0112760"]["modalities"].field_list) == 2
    assert len(MMIMDB_GENRES) == 23 and MMIMDB_GENRES[:3] == ["Drama", "Comedy", "Romance"]


def test_bad_input_names_file_and_film(tmp_path):
    root = tmp_path / "mmimdb"
    shutil.copytree(ROOT, root)
    reader = MmImdbReader(transformer_model_name=str(FIXTURES / "encoders" / "tiny-bert"))
    with pytest.raises(DataError, match="no split given"):
        list(reader.read(str(root)))
    with pytest.raises(DataError, match="no such split"):
        list(reader.read(f"{root}#validation"))
    splits = json.loads((root / "split.json").read_text())
    splits["dev"].append("0000001")
    (root / "split.json").write_text(json.dumps(splits))
    with pytest.raises(DataError, match=r"0000001\.json \(film 0000001\).*dataset file is missing"):
        list(reader.read(f"{root}#dev"))
    (root / "dataset" / "0113228.json").write_text('{"title": "Sabrina", "genres": ["Comedy"')
    with pytest.raises(DataError, match=r"0113228\.json \(film 0113228\).*corrupt"):
        list(reader.read(f"{root}#dev"))
    (root / "dataset" / "0113228.json").write_text('{"title": "Sabrina", "genres": "Comedy"}')
    with pytest.raises(DataError, match="'genres'"):
        list(reader.read(f"{root}#dev"))
