"""The easyocr backend: EasyOCR's weights cannot be downloaded here, so the real package is exercised up to loading
them (a clear error naming the missing file, never a download), and its detections are shaped into Cloud Vision
``textAnnotations`` by a stand-in with EasyOCR's ``readtext`` contract; an ``easyocr/`` directory then serves a
reader as its OCR source while the other visual modalities stay Cloud Vision's (Table 1's OCR rows)."""
import json
import shutil

import pytest

from dm2s2_allennlp.dataset_readers import MmImdbReader
from dm2s2_allennlp.vision.extract import extract
from tests.conftest import FIXTURES, TINY_BERT

pytest.importorskip("easyocr", reason="the [vision] extra is not installed")

from dm2s2_allennlp.vision.easyocr_backend import EasyOcrBackend  # noqa: E402
from dm2s2_allennlp.vision.local_backend import MissingDependency  # noqa: E402


def test_the_real_package_says_which_model_files_are_missing(tmp_path):
    with pytest.raises(MissingDependency, match=r"is not one"):
        EasyOcrBackend(models=str(tmp_path / "nowhere"))
    with pytest.raises(MissingDependency, match=r"could not load its models from .*craft_mlt_25k.pth and downloads "
                                                r"disabled"):
        EasyOcrBackend(models=str(tmp_path))


class StandIn:
    """EasyOCR's `readtext(image, detail=1)`: [(four corner points, text, confidence), ...] in any order."""

    def readtext(self, image, detail=1, paragraph=False):
        assert detail == 1 and image.ndim == 3
        return [([[10, 300], [200, 300], [200, 340], [10, 340]], "IN CINEMAS", 0.91),
                ([[12, 40], [300, 40], [300, 110], [12, 110]], "MIDNIGHT", 0.99),
                ([[400, 50], [420, 50], [420, 60], [400, 60]], "~", 0.05)]


def test_detections_become_text_annotations_in_reading_order(tmp_path):
    from PIL import Image

    images = tmp_path / "posters"
    images.mkdir()
    Image.new("RGB", (480, 400), (0, 0, 0)).save(images / "0114709.png")
    out = tmp_path / "easyocr"
    summary = extract(str(images), str(out), "easyocr", options={"reader": StandIn(), "min_confidence": 0.3},
                      progress=False)
    assert summary["extracted"] == 1
    response = json.loads((out / "0114709.json").read_text())
    texts = response["textAnnotations"]
    assert texts[0]["description"] == "MIDNIGHT IN CINEMAS"  # top to bottom; the low-confidence box dropped
    assert [t["description"] for t in texts[1:]] == ["MIDNIGHT", "IN CINEMAS"]
    assert set(response) == {"textAnnotations"}
    # as Table 1's OCR source: ocr_text from easyocr/, faces/labels/objects still from the Cloud Vision responses
    features = tmp_path / "features"
    shutil.copytree(FIXTURES / "mmimdb" / "features", features)
    reader = MmImdbReader(features_dir=str(features), ocr_features_dir=str(out), transformer_model_name=TINY_BERT)
    films = {i["metadata"]["id"]: i for i in reader.read(str(FIXTURES / "mmimdb" / "mmimdb") + "#train")}
    toy = films["0114709"]["metadata"]["modality_texts"]
    assert toy["ocr_text"] == "MIDNIGHT IN CINEMAS" and toy["num_faces"] == "2" and toy["labels"].startswith("Cartoon")
