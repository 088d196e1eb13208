"""Image columns read as the paper's visual modalities (issue 34): real photographs (the astronaut has one face, the
coffee cup none) and rendered text that OCR reads back; a missing, a truncated and a non-image file left missing and
counted with row and column; detection written as a settled fact; the content-keyed cache hit by a second reader (no
extraction), and a killed extraction resumed."""
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from allennlp.common import Params

from dm2s2_allennlp.dataset_readers import MultimodalTableReader
from dm2s2_allennlp.dataset_readers.reader_facts import settle
from dm2s2_allennlp.errors import DataError
from tests.conftest import FIXTURES, ROOT, TINY_BERT
from tests.image_tables import broken, photographs, render_text, write_csv

pytest.importorskip("cv2", reason="the [vision] extra is not installed (pip install -e .[vision])")
pytest.importorskip("skimage", reason="scikit-image (the [vision] extra) is not installed")
pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Debian's tesseract-ocr is not installed "
                                "(make test installs it where it can)")

VISUAL = ["poster_ocr_text", "poster_labels", "poster_objects", "poster_num_faces"]


def reader(cache, **kwargs):
    extraction = {"cache_dir": str(cache), "progress": False, **kwargs.pop("image_extraction", {})}
    return MultimodalTableReader(transformer_model_name=TINY_BERT, image_extraction=extraction, **kwargs)


def texts(instances):
    return {i["metadata"]["id"]: i["metadata"]["modality_texts"] for i in instances}


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shop")
    images = folder / "img"
    photos = photographs(images)
    bad = broken(images)
    render_text(images / "sale.png", "SUMMER SALE")
    rows = [["astronaut", "a film", "img/astronaut.png", "yes"],
            ["coffee", "a cafe", str(photos["coffee"]), "no"],  # an absolute path
            ["sale", "a shop", "img/sale.png", "yes"],
            ["truncated", "d", "img/truncated.jpg", "no"],
            ["not_an_image", "e", "img/notes.png", "no"],
            ["missing", "f", "img/gone.png", "yes"],
            ["empty", "g", "", "no"]]
    assert bad["truncated"].exists() and not (images / "gone.png").exists()
    return write_csv(folder / "train.csv", ["id", "title", "poster", "label"], rows)


def test_an_image_column_is_detected_and_read_as_the_papers_visual_modalities(table, tmp_path, caplog):
    r = reader(tmp_path / "cache")
    with caplog.at_level(logging.WARNING):
        records = texts(r.read(str(table)))
    assert r.modalities == ["title"] + VISUAL and r.image_columns == ["poster"]
    assert r.inferred_facts()["image_columns"] == ["poster"]
    assert records["astronaut"]["poster_num_faces"] == "1" and "Person" in records["astronaut"]["poster_objects"]
    assert records["coffee"]["poster_num_faces"] == "0" and "espresso" in records["coffee"]["poster_labels"]
    assert records["sale"]["poster_ocr_text"] == "SUMMER SALE"
    assert records["astronaut"]["title"] == "a film"
    for broken_one in ("truncated", "not_an_image", "missing", "empty"):  # missing, never made up (no 0 faces)
        assert [records[broken_one][name] for name in VISUAL] == [None] * 4
    messages = [record.getMessage() for record in caplog.records]
    line = {name: n for n, name in enumerate(["astronaut", "coffee", "sale", "truncated", "not_an_image",
                                              "missing"], start=2)}
    for name, reason in (("truncated", "truncated"), ("not_an_image", "cannot identify"),
                         ("missing", "no such image file")):
        assert any(f"train.csv:{line[name]}, column 'poster'" in m and reason in m for m in messages), messages
    summary = [m for m in messages if "read with" in m and "image columns" in m]
    assert summary and "no such image file: 1" in summary[0] and "not a decodable image: 2" in summary[0]


def test_a_second_reader_reads_every_image_from_the_cache_and_a_copy_by_content(table, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = texts(reader(cache).read(str(table)))
    import dm2s2_allennlp.vision.extract as extract

    def no_backend(*args, **kwargs):
        raise AssertionError("extracted again: the cache was not used")

    monkeypatch.setattr(extract, "make_backend", no_backend)
    monkeypatch.setattr("dm2s2_allennlp.vision.feature_cache.make_backend", no_backend)
    moved = tmp_path / "elsewhere"
    shutil.copytree(table.parent / "img", moved / "pictures")  # the same images under other names
    frame = pd.read_csv(table, keep_default_na=False)
    frame["poster"] = [p.replace("img/", "pictures/") if not os.path.isabs(p) else p for p in frame["poster"]]
    frame.to_csv(moved / "train.csv", index=False)
    assert texts(reader(cache).read(str(moved / "train.csv"))) == first


def test_other_settings_are_another_cache_and_parts_ask_the_backend_for_what_they_use(table, tmp_path):
    r = reader(tmp_path / "cache", image_columns=["poster"], modalities=["poster", "title"],
               image_extraction={"parts": ["ocr_text"]})
    assert r.modalities == ["poster_ocr_text", "title"]  # the raw column stands for its visual modalities
    assert r.extraction.options == {"ocr": True, "faces": False, "labels": False, "objects": False}
    records = texts(r.read(str(table)))
    assert records["sale"] == {"poster_ocr_text": "SUMMER SALE", "title": "a shop"}
    full = reader(tmp_path / "cache")
    full.read(str(table))
    assert full.extraction.cache.folder != r.extraction.cache.folder


def test_stated_modalities_detect_nothing_so_a_0_6_config_reads_paths_as_text(table, tmp_path):
    r = reader(tmp_path / "cache", modalities=["title", "poster"], task="classification")
    assert r.image_columns == []
    assert texts(r.read(str(table)))["sale"]["poster"] == "img/sale.png"


def test_settle_writes_the_image_columns_and_extracts_before_the_run(table, tmp_path):
    params = Params({"dataset_reader": {"type": "multimodal_table", "transformer_model_name": TINY_BERT,
                                        "image_extraction": {"cache_dir": str(tmp_path / "cache"),
                                                             "progress": False}},
                     "train_data_path": str(table), "validation_data_path": str(table)})
    settled = settle(params)
    assert settled == {"image_columns": ["poster"], "modalities": ["title"] + VISUAL, "task": "classification"}
    assert params["dataset_reader"]["image_columns"] == ["poster"]
    cache = MultimodalTableReader(transformer_model_name=TINY_BERT,
                                  image_extraction={"cache_dir": str(tmp_path / "cache")}).extraction.cache
    assert len(list(cache.keys())) == 5  # 3 photographs/text images + 2 undecodable files kept as failed


def test_a_stated_image_column_the_file_lacks_is_an_error_naming_it(table, tmp_path):
    with pytest.raises(DataError, match="cover.*an image column the file does not have"):
        list(reader(tmp_path / "cache", image_columns=["cover"]).read(str(table)))


def test_parquet_and_jsonl_image_columns(table, tmp_path):
    frame = pd.read_csv(table, keep_default_na=False).iloc[:3]
    frame["poster"] = [os.path.join(table.parent, p) for p in frame["poster"]]
    frame.to_parquet(tmp_path / "t.parquet", index=False)
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text("".join(json.dumps({"id": r.id, "modalities": {"title": r.title, "poster": r.poster},
                                         "label": r.label}) + "\n" for r in frame.itertuples()))
    for path in (tmp_path / "t.parquet", jsonl):
        r = reader(tmp_path / "cache")
        records = texts(r.read(str(path)))
        assert r.image_columns == ["poster"] and records["sale"]["poster_ocr_text"] == "SUMMER SALE"


def test_cloud_vision_responses_the_user_has_instead_of_a_backend(tmp_path):
    responses = tmp_path / "responses"
    responses.mkdir()
    shutil.copy(FIXTURES / "vision" / "cloud_vision_response.json", responses / "ad1.json")
    (tmp_path / "ad1.jpg").write_bytes(b"never opened")  # detection needs one existing file
    write_csv(tmp_path / "ads.csv", ["id", "creative", "label"], [["1", "ad1.jpg", "x"], ["2", "ad2.jpg", "y"]])
    r = reader(tmp_path / "cache", image_extraction={"responses_dir": str(responses),
                                                     "parts": ["ocr_text", "num_faces", "safe_search"]})
    records = texts(r.read(str(tmp_path / "ads.csv")))
    expected = json.load(open(FIXTURES / "vision" / "cloud_vision_response.json"))["responses"][0]
    assert records["1"]["creative_ocr_text"] == " ".join(expected["textAnnotations"][0]["description"].split())
    assert records["1"]["creative_num_faces"] == str(len(expected["faceAnnotations"]))
    assert records["1"]["creative_safe_search"].startswith("adult ")
    assert records["2"] == {"creative_ocr_text": None, "creative_num_faces": None, "creative_safe_search": None}


FILL = """
import sys
from dm2s2_allennlp.vision.feature_cache import FeatureCache, content_key
paths = sys.argv[2:]
summary = FeatureCache("local", {"ocr": True, "faces": False, "labels": False, "objects": False},
                       sys.argv[1]).fill({content_key(p): p for p in paths}, workers=1, progress=False)
print(summary["cached"], summary["extracted"])
"""


def test_a_killed_extraction_resumes_where_it_stopped(tmp_path):
    paths = [str(render_text(tmp_path / f"ad{k}.png", f"OFFER {k}")) for k in range(20)]
    cache = tmp_path / "cache"
    command = [sys.executable, "-c", FILL, str(cache), *paths]
    run = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(cache.rglob("??/*.json"))) < 2:
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait()
    done = len(list(cache.rglob("??/*.json")))
    assert 2 <= done < 20, done
    assert not list(cache.rglob("*.tmp*"))  # whole files only
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    assert again.stdout.split() == [str(done), str(20 - done)]  # the done ones kept, the rest extracted


def test_a_backend_failure_is_not_kept_and_is_retried_but_an_undecodable_file_is(table, tmp_path, monkeypatch, caplog):
    from dm2s2_allennlp.vision import feature_cache
    from dm2s2_allennlp.vision.feature_cache import FeatureCache, content_key

    class Broken:
        def annotate(self, image):
            raise ValueError("the model broke")

    good, bad = table.parent / "img" / "sale.png", table.parent / "img" / "notes.png"
    images = {content_key(str(p)): str(p) for p in (good, bad)}
    monkeypatch.setattr(feature_cache, "make_backend", lambda *args: Broken())
    cache = FeatureCache("local", {"ocr": True}, str(tmp_path))
    with caplog.at_level(logging.WARNING):
        summary = cache.fill(images, progress=False)
    assert summary["failed"] == 2
    assert cache.get(content_key(str(good))) is None  # retried next time
    assert "error" in cache.get(content_key(str(bad)))  # the file's own fault: kept, never decoded again
    assert [m for m in caplog.messages if "backend failed" in m] == [f"{good}: the local backend failed on it: "
                                                                     "ValueError: the model broke"]
    monkeypatch.undo()
    again = FeatureCache("local", {"ocr": True}, str(tmp_path)).fill(images, progress=False)
    assert (again["cached"], again["extracted"]) == (1, 1)
