import gzip
import json

import pytest

from dm2s2_allennlp.dataset_readers import DataError
from dm2s2_allennlp.dataset_readers.cloud_vision import VisualFeatures, visual_values
from tests.conftest import FIXTURES

FEATURES = FIXTURES / "mmimdb" / "features"


def test_camel_and_snake_case_responses_give_the_same_tokens():
    camel = json.loads((FEATURES / "0114709.json").read_text())
    values = visual_values(camel)
    assert values == {
        "ocr_text": "TOY STORY DISNEY PIXAR",
        "num_faces": 2,
        "labels": ["Cartoon", "Toy", "Poster"],  # the API's confidence order, kept
        "objects": ["Person", "Toy"],
        "safe_search": ["adult very unlikely", "spoof unlikely", "medical very unlikely", "violence unlikely",
                        "racy very unlikely"],
    }
    with gzip.open(FEATURES / "0113497.json.gz", "rt") as handle:
        snake = visual_values(json.load(handle))
    assert snake["ocr_text"] == "JUMANJI Robin Williams" and snake["num_faces"] == 1
    assert snake["labels"] == ["Jungle", "Font"] and snake["objects"] == ["Animal"]
    assert snake["safe_search"][:2] == ["adult very unlikely", "spoof unlikely"]  # ints 1, 2


def test_full_text_fallback_batch_wrapper_and_absent_fields():
    assert visual_values({"fullTextAnnotation": {"text": "A\nB"}})["ocr_text"] == "A B"
    wrapped = visual_values({"responses": [{"labelAnnotations": [{"description": "Smile"}]}]})
    assert wrapped == {"ocr_text": None, "num_faces": 0, "labels": ["Smile"], "objects": None, "safe_search": None}


def test_directory_lookup_missing_file_is_missing_modalities():
    features = VisualFeatures(str(FEATURES))
    assert features.lookup("0114709", "r")["num_faces"] == 2
    assert features.lookup("0113497", "r")["labels"] == ["Jungle", "Font"]  # .json.gz
    assert features.lookup("0114709.jpeg", "r")["num_faces"] == 2  # an image file name works too
    assert features.lookup("9999999", "r") == {k: None for k in ("ocr_text", "num_faces", "labels", "objects",
                                                                  "safe_search")}
    assert features.stats["no features"] == 1 and features.stats["with features"] == 3


def test_jsonl_source(tmp_path):
    path = tmp_path / "features.jsonl"
    path.write_text(json.dumps({"id": "a", "response": {"faceAnnotations": [{}]}}) + "\n" +
                    json.dumps({"image_id": "b", "labelAnnotations": [{"description": "Dog"}]}) + "\n")
    features = VisualFeatures(str(path))
    assert features.lookup("a", "r")["num_faces"] == 1
    assert features.lookup("b", "r")["labels"] == ["Dog"]
    assert features.lookup("c", "r")["labels"] is None


def test_unreadable_file_is_an_error_naming_file_and_record_or_a_counted_skip():
    bad = FIXTURES / "ads_parallelity" / "features_bad"
    with pytest.raises(DataError, match=r"100051\.json.*record 'ad 100051'"):
        VisualFeatures(str(bad)).lookup("100051", "ad 100051")
    skipping = VisualFeatures(str(bad), skip_unreadable=True)
    assert skipping.lookup("100051", "ad 100051")["ocr_text"] is None
    assert skipping.stats["unreadable features (treated as missing)"] == 1
    with pytest.raises(DataError, match="does not exist"):
        VisualFeatures(str(bad / "nope"))


def test_an_api_error_response_is_missing_features_not_zero_faces(tmp_path, caplog):
    (tmp_path / "e1.json").write_text(json.dumps({"error": {"code": 3, "message": "Bad image data."}}))
    (tmp_path / "e2.json").write_text(json.dumps({"responses": [{"error": {"code": 7, "message": "denied"}}]}))
    (tmp_path / "ok.json").write_text(json.dumps({}))  # a valid response where nothing was found
    features = VisualFeatures(str(tmp_path))
    for image in ("e1", "e2"):
        assert features.lookup(image, image) == {name: None for name in
                                                 ("ocr_text", "num_faces", "labels", "objects", "safe_search")}
    assert features.lookup("ok", "ok")["num_faces"] == 0
    assert features.stats["features with an API error (treated as missing)"] == 2
    assert features.stats["with features"] == 1


def test_a_response_of_another_schema_is_an_error_or_a_counted_skip(tmp_path):
    (tmp_path / "x.json").write_text(json.dumps({"predictions": [{"label": "cat"}]}))
    with pytest.raises(DataError, match=r"x.json: not a Cloud Vision AnnotateImageResponse \(keys \['predictions'\]\)"):
        VisualFeatures(str(tmp_path)).lookup("x", "record x")
    skipping = VisualFeatures(str(tmp_path), skip_unreadable=True)
    assert skipping.lookup("x", "record x")["num_faces"] is None
    assert skipping.stats["features of another schema (treated as missing)"] == 1
