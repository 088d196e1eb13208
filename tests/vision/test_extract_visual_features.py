"""Images to Cloud-Vision-shaped features: real photographs (scikit-image's astronaut has one face, the coffee cup
none), a poster rendered here with known text, corrupt files, resume, workers, the cloud-vision backend replaying a
recorded-shape response, and the round trip into the mmimdb reader."""
import json
import shutil
import subprocess
import sys

import pytest

from dm2s2_allennlp.dataset_readers.cloud_vision import visual_values
from tests.conftest import FIXTURES, ROOT

cv2 = pytest.importorskip("cv2", reason="the [vision] extra is not installed (pip install -e .[vision])")
skimage_data = pytest.importorskip("skimage.data", reason="scikit-image (the [vision] extra) is not installed")
pytest.importorskip("efficientnet_lite_pytorch", reason="the [vision] extra is not installed")
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Debian's tesseract-ocr is not "
                                     "installed (apt-get install tesseract-ocr tesseract-ocr-jpn; make test does it)")

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from dm2s2_allennlp.vision.extract import SUMMARY_FILE, extract  # noqa: E402
from dm2s2_allennlp.vision.local_backend import LocalBackend  # noqa: E402

POSTER_TEXT = ["MIDNIGHT", "HARBOR", "IN CINEMAS JUNE 12"]


def render_poster(path):
    import matplotlib

    font = matplotlib.get_data_path() + "/fonts/ttf/DejaVuSans-Bold.ttf"
    image = Image.new("RGB", (600, 900), (20, 30, 60))
    draw = ImageDraw.Draw(image)
    draw.text((60, 100), POSTER_TEXT[0], font=ImageFont.truetype(font, 72), fill=(240, 220, 120))
    draw.text((60, 200), POSTER_TEXT[1], font=ImageFont.truetype(font, 72), fill=(240, 220, 120))
    draw.text((60, 780), POSTER_TEXT[2], font=ImageFont.truetype(font, 36), fill=(255, 255, 255))
    image.save(path)


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    Image.fromarray(skimage_data.astronaut()).save(folder / "0000001.png")
    Image.fromarray(skimage_data.coffee()).save(folder / "0000002.jpg")
    Image.fromarray(skimage_data.chelsea()).save(folder / "0000003.jpg")
    render_poster(folder / "0000004.png")
    (folder / "0000005.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG")
    good = (folder / "0000002.jpg").read_bytes()
    (folder / "0000006.jpg").write_bytes(good[: len(good) // 3])  # truncated
    (folder / "notes.txt").write_text("not an image")
    return folder


@pytest.fixture(scope="module")
def extracted(images, tmp_path_factory):
    out = tmp_path_factory.mktemp("features")
    summary = extract(str(images), str(out), "local", workers=2, progress=False)
    return out, summary


def response(out, image_id):
    return json.loads((out / f"{image_id}.json").read_text())


@needs_tesseract
def test_faces_text_and_labels_of_real_photographs_and_a_rendered_poster(extracted):
    out, summary = extracted
    astronaut, coffee, cat, poster = (visual_values(response(out, f"000000{i}")) for i in (1, 2, 3, 4))
    assert astronaut["num_faces"] == 1 and coffee["num_faces"] == 0 and poster["num_faces"] == 0
    assert poster["ocr_text"] == " ".join(POSTER_TEXT)
    assert coffee["ocr_text"] is None
    assert coffee["labels"][0] in ("espresso", "cup", "coffee mug", "tea cup")
    assert any(word in cat["labels"][0].lower() for word in ("cat", "mau", "tabby", "lynx"))
    for image_id in ("0000001", "0000002", "0000003"):
        scores = [a["score"] for a in response(out, image_id).get("labelAnnotations", [])]
        assert scores == sorted(scores, reverse=True) and all(s >= 0.1 for s in scores)
        objects = response(out, image_id).get("localizedObjectAnnotations", [])
        assert [o["score"] for o in objects] == sorted((o["score"] for o in objects), reverse=True)
        assert all(o["score"] >= 0.5 and o["name"] in ("Person", "Cat", "License plate") for o in objects)
    words = response(out, "0000004")["textAnnotations"][1:]
    assert [w["description"] for w in words] == " ".join(POSTER_TEXT).split()


@needs_tesseract
def test_bad_images_are_reported_counted_and_skipped(extracted):
    out, summary = extracted
    assert summary["images"] == 6 and summary["extracted"] == 4 and summary["failed"] == 2
    assert set(summary["failures"]) == {"0000005.jpg", "0000006.jpg"}
    assert all("cannot decode" in reason for reason in summary["failures"].values())
    assert not (out / "0000005.json").exists() and not list(out.glob("*.tmp*"))
    assert json.loads((out / SUMMARY_FILE).read_text()) == summary


@needs_tesseract
def test_resume_skips_finished_images_and_redoes_broken_outputs(images, extracted, tmp_path):
    out, _ = extracted
    copy = tmp_path / "features"
    shutil.copytree(out, copy)
    (copy / "0000002.json").write_text('{"half": ')  # as if killed while writing by some other tool
    (copy / "0000003.json").unlink()
    summary = extract(str(images), str(copy), "local", progress=False, options={"labels": False, "objects": False})
    assert summary["already_done"] == 2 and summary["extracted"] == 2 and summary["failed"] == 2
    assert "labelAnnotations" not in response(copy, "0000003")  # redone, with the switches of this run
    assert visual_values(response(copy, "0000002"))["num_faces"] == 0


@needs_tesseract
def test_sub_extractors_switch_off(images, tmp_path):
    backend = LocalBackend(ocr=True, faces=False, labels=False, objects=False)
    result = backend.annotate(Image.open(images / "0000004.png").convert("RGB"))
    assert set(result) == {"textAnnotations", "fullTextAnnotation"}
    strict = LocalBackend(ocr=True, faces=False, labels=False, objects=False, ocr_min_confidence=101)
    assert strict.annotate(Image.open(images / "0000004.png").convert("RGB")) == {}


@needs_tesseract
def test_round_trip_into_the_mmimdb_reader(extracted, tmp_path, encoder):
    from dm2s2_allennlp.dataset_readers import MmImdbReader

    out, _ = extracted
    dataset = tmp_path / "mmimdb" / "dataset"
    dataset.mkdir(parents=True)
    for image_id, title in (("0000001", "First Step"), ("0000004", "Midnight Harbor")):
        (dataset / f"{image_id}.json").write_text(json.dumps({"title": title, "plot": ["A story."],
                                                              "genres": ["Drama"]}))
    (tmp_path / "mmimdb" / "split.json").write_text(json.dumps({"train": ["0000001", "0000004"], "dev": [],
                                                                "test": []}))
    reader = MmImdbReader(features_dir=str(out), transformer_model_name=encoder)
    films = {i["metadata"]["id"]: i for i in reader.read(f"{tmp_path / 'mmimdb'}#train")}
    poster = films["0000004"]["metadata"]
    assert poster["modality_texts"]["ocr_text"] == " ".join(POSTER_TEXT)
    ocr_tokens = "".join(poster["modality_tokens"][poster["modality_names"].index("ocr_text")]).lower()
    assert "midnight" in ocr_tokens.replace("##", "").replace("ġ", "")
    astronaut = films["0000001"]["metadata"]["modality_texts"]
    assert astronaut["num_faces"] == "1" and astronaut["labels"]


class FakeVisionClient:
    """Stands in for ImageAnnotatorClient: records the request, replays the recorded-shape response."""

    def __init__(self, recorded):
        from google.cloud import vision

        self.response = vision.BatchAnnotateImagesResponse.from_json(recorded)
        self.requests = []

    def batch_annotate_images(self, requests):
        self.requests.extend(requests)
        return self.response


def test_cloud_vision_backend_with_a_recorded_response(images, tmp_path):
    pytest.importorskip("google.cloud.vision", reason="google-cloud-vision (the [vision] extra) is not installed")
    from google.cloud import vision

    client = FakeVisionClient((FIXTURES / "vision" / "cloud_vision_response.json").read_text())
    summary = extract(str(images), str(tmp_path), "cloud-vision", progress=False, options={"client": client})
    assert summary["extracted"] == 4 and summary["failed"] == 2  # undecodable files are never sent
    request = client.requests[0]
    sent = {vision.Feature.Type(f.type_).name for f in request.features}
    assert sent == {"TEXT_DETECTION", "LABEL_DETECTION", "OBJECT_LOCALIZATION", "FACE_DETECTION",
                    "SAFE_SEARCH_DETECTION"}
    assert request.image.content == (images / "0000001.png").read_bytes()
    saved = response(tmp_path, "0000001")
    assert saved["safeSearchAnnotation"]["violence"] == "POSSIBLE"  # enum names, as the REST API writes them
    values = visual_values(saved)
    assert values == {"ocr_text": "MIDNIGHT HARBOR", "num_faces": 1, "labels": ["Poster", "Font"],
                      "objects": ["Person"], "safe_search": ["adult very unlikely", "spoof unlikely",
                                                             "medical very unlikely", "violence possible",
                                                             "racy unlikely"]}
    # an error response is a failed image, nothing written
    client.response = vision.BatchAnnotateImagesResponse.from_json(
        '{"responses": [{"error": {"code": 7, "message": "permission denied"}}]}')
    again = extract(str(images), str(tmp_path / "errors"), "cloud-vision", progress=False,
                    options={"client": client})
    assert again["failed"] == 6 and "permission denied" in again["failures"]["0000001.png"]


@needs_tesseract
def test_cli_and_missing_input(images, tmp_path):
    out = tmp_path / "cli"
    command = [sys.executable, "-m", "allennlp", "extract-visual-features", str(images), str(out), "--no-labels",
               "--no-objects", "--no-progress", "--include-package", "dm2s2_allennlp"]
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout.strip().splitlines()[-1])["extracted"] == 4
    assert "failed: 0000005.jpg" in run.stderr
    missing = subprocess.run(command[:4] + [str(tmp_path / "nowhere"), str(out)] + command[6:],
                             capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode != 0 and "not a directory" in missing.stderr


def test_suppression_keeps_the_best_of_each_names_overlapping_boxes():
    from dm2s2_allennlp.vision.responses import suppress

    detections = [("face", 0.6, (0, 0, 10, 10)), ("face", 0.9, (1, 1, 10, 10)), ("Cat", 0.5, (0, 0, 10, 10)),
                  ("face", 0.7, (50, 50, 10, 10)), ("face", 0.8, (4, 0, 10, 10))]  # IoU with the best: 0.68, 0.43
    assert suppress(detections) == [("face", 0.9, (1, 1, 10, 10)), ("face", 0.7, (50, 50, 10, 10)),
                                    ("Cat", 0.5, (0, 0, 10, 10))]
    assert suppress(detections, iou=0.5) == [("face", 0.9, (1, 1, 10, 10)), ("face", 0.8, (4, 0, 10, 10)),
                                             ("face", 0.7, (50, 50, 10, 10)), ("Cat", 0.5, (0, 0, 10, 10))]
    assert suppress([]) == []
