"""Image columns everywhere the table goes (issue 34), on a tiny model: a CSV whose `creative` column holds rendered
ad texts (the label's word, which OCR must read) trains from its paths alone; the archive reads a new table with
images the same way (`predict`, `evaluate`); `explain` shows the visual modalities like the others;
`erase-modalities` erases each of them; the Python entry takes a DataFrame of image paths, read from `images_from`,
and refuses one whose paths name no file rather than reading them as text."""
import json
import shutil

import pandas as pd
import pytest
from allennlp.common import Params

import dm2s2_allennlp as dm
from dm2s2_allennlp.commands.erase_modalities import erase_modalities
from dm2s2_allennlp.training.settled_train import train_settled
from tests.conftest import TINY_BERT
from tests.image_tables import photographs, render_text, write_csv

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Debian's tesseract-ocr is not installed")
pytest.importorskip("skimage", reason="scikit-image (the [vision] extra) is not installed")
VISUAL = ["creative_ocr_text", "creative_labels", "creative_objects", "creative_num_faces"]
WORDS = {"yes": ["SALE", "DEAL", "OFFER"], "no": ["NEWS", "STORY", "REPORT"]}


def table(folder, name, labeled=True):
    images = folder / "creatives"
    photo = photographs(images)["astronaut"]
    rows = []
    for k in range(12):
        label = "yes" if k % 2 == 0 else "no"
        word = WORDS[label][k % 3]
        render_text(images / f"{name}{k}.png", word)
        rows.append([f"{name}{k}", f"item {k // 2 % 3}", f"creatives/{name}{k}.png", label][:4 if labeled else 3])
    rows.append([f"{name}-photo", "item 1", photo.relative_to(folder).as_posix(), "no"][:4 if labeled else 3])
    return write_csv(folder / f"{name}.csv", ["id", "title", "creative", "label"][:4 if labeled else 3], rows)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ads")
    train = table(folder, "train")
    config = Params({
        "dataset_reader": {"type": "multimodal_table", "transformer_model_name": TINY_BERT, "max_length": 64,
                           "image_extraction": {"progress": False}},
        "train_data_path": str(train), "validation_data_path": str(train),
        "model": {"type": "dm2s2", "encoder": {"type": "pretrained_transformer"}, "head": {"type": "classification"},
                  "mlp": {"hidden_dims": [16], "dropout": 0.0}},
        "data_loader": {"batch_size": 4, "shuffle": True},
        "trainer": {"optimizer": {"type": "adamw", "lr": 0.003}, "num_epochs": 25, "cuda_device": -1},
    })
    train_settled(config, str(folder / "run"))
    return folder


def test_trained_from_paths_alone_the_archive_reads_new_tables_with_images(run):
    stated = json.loads((run / "run" / "config.json").read_text())["dataset_reader"]
    assert stated["image_columns"] == ["creative"] and stated["modalities"] == ["title"] + VISUAL
    model = dm.load(str(run / "run" / "model.tar.gz"))
    new = table(run / "new", "new")  # other files, other folder: paths read from the new table's folder
    metrics = model.evaluate(str(new))
    assert metrics["accuracy"] >= 0.75  # the label is only in the images' words, so the OCR text was learned from
    frame = model.predict(str(table(run / "new", "unlabeled", labeled=False)))
    assert len(frame) == 13 and {f"weight_{name}" for name in VISUAL} <= set(frame.columns)


def test_explain_shows_the_visual_modalities_and_erase_erases_each(run, tmp_path):
    archive = str(run / "run" / "model.tar.gz")
    written = dm.load(archive).explain(str(run / "train.csv"), str(tmp_path / "explained"), max_records=3)
    explanations = [json.loads(line) for line in open(written["jsonl"])]
    assert explanations[0]["intra_weights"]["creative_ocr_text"][0][0].lower() == "sale"
    assert "creative_ocr_text" in (tmp_path / "explained" / "explanations.html").read_text()
    result = erase_modalities(archive, str(run / "train.csv"), str(tmp_path / "erased"))
    assert set(result["erased"]) == {"title", *VISUAL}
    assert result["change"]["creative_ocr_text"]["accuracy"] < 0  # the words were what it read


def test_a_dataframe_takes_image_paths_from_images_from(run, tmp_path, monkeypatch):
    model = dm.load(str(run / "run" / "model.tar.gz"))
    frame = pd.read_csv(run / "train.csv")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="'creative' holds image paths.*images_from"):
        model.predict(frame)
    from_frame = model.predict(frame, images_from=str(run))
    from_file = model.predict(str(run / "train.csv"))
    assert list(from_frame["prediction"]) == list(from_file["prediction"])
    assert list(from_frame["weight_creative_ocr_text"]) == pytest.approx(list(from_file["weight_creative_ocr_text"]))


def test_dm2s2_predict_on_jsonl_and_a_predictors_json_read_the_images(run, tmp_path):
    import subprocess
    import sys

    from allennlp.predictors import Predictor

    from dm2s2_allennlp.api import load

    archive = str(run / "run" / "model.tar.gz")
    records = [{"id": "r1", "modalities": {"title": "item 0", "creative": "creatives/train0.png"}},
               {"id": "r2", "modalities": {"title": "item 0", "creative": "creatives/train1.png"}}]
    (run / "new.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))  # paths from its own folder
    output = tmp_path / "predictions.jsonl"
    subprocess.run([sys.executable, "-m", "dm2s2_allennlp", "predict", archive, str(run / "new.jsonl"),
                    "--output-file", str(output), "--silent", "--batch-size", "64"], check=True, capture_output=True)
    from_cli = [json.loads(line) for line in open(output)]
    assert [p["intra_weights"]["creative_ocr_text"][0][0].lower() for p in from_cli] == ["sale", "story"]
    predictor: Predictor = load(archive).predictor  # a record given alone: its paths from the working directory
    alone = predictor.predict_json({"id": "r1", "modalities": {"title": "item 0",
                                                               "creative": str(run / "creatives" / "train0.png")}})
    assert alone["intra_weights"]["creative_ocr_text"][0][0].lower() == "sale"
    assert alone["label_probs"] == pytest.approx(from_cli[0]["label_probs"])
