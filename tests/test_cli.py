"""The user's path end to end: `allennlp train / evaluate / predict` as commands, with the plugin found through
`.allennlp_plugins` (no --include-package), on fixture data with the tiny encoder; the archive predicts the same
as the model that was trained."""
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, run_allennlp


allennlp = run_allennlp


@pytest.fixture
def trained(multilabel_archive):
    return multilabel_archive


def test_train_evaluate_predict_via_plugin_file(trained, tmp_path):
    archive = trained / "model.tar.gz"
    assert archive.exists()
    metrics_file = tmp_path / "metrics.json"
    allennlp("evaluate", str(archive), str(FIXTURES / "generic" / "multilabel.jsonl"), "--output-file",
             str(metrics_file))
    metrics = json.loads(metrics_file.read_text())
    assert {"f1_micro", "f1_macro", "f1_samples", "loss"} <= set(metrics)
    predictions = tmp_path / "predictions.jsonl"
    allennlp("predict", str(archive), str(FIXTURES / "generic" / "unlabeled.jsonl"), "--output-file",
             str(predictions), "--silent")  # no --predictor: the model's default_predictor
    lines = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert [p["id"] for p in lines] == ["u1", "u2"]
    first = lines[0]
    assert set(first["inter_weights"]) == {"title", "year", "length", "labels", "faces"}
    assert sum(first["inter_weights"].values()) == pytest.approx(1.0, abs=1e-5)
    pieces = [tok for tok, _ in first["token_weights"]["labels"]]
    assert len(pieces) > 3  # "jungle" is not in the tiny vocabulary: it is split into pieces ...
    words = first["intra_weights"]["labels"]
    assert [w for w, _ in words] == ["game", ",", "jungle"]  # ... and comes back as one readable word
    assert sum(w for _, w in words) == pytest.approx(1.0, abs=1e-5)
    assert first["intra_weights"]["length"] and set(first["label_probs"]) >= set(first["labels"])
    # u2 has no length and no labels: empty token lists and zero modality weight
    assert lines[1]["intra_weights"]["labels"] == [] and lines[1]["inter_weights"]["labels"] == 0.0


def test_archive_predicts_the_same_as_the_trained_model(trained):
    from allennlp.models.archival import load_archive
    from allennlp.predictors import Predictor

    import torch

    archive = load_archive(str(trained / "model.tar.gz"))
    predictor = Predictor.from_archive(archive)  # default predictor
    record = json.loads((FIXTURES / "generic" / "unlabeled.jsonl").read_text().splitlines()[0])
    first = predictor.predict_json(record)
    again = Predictor.from_archive(load_archive(str(trained / "model.tar.gz"))).predict_json(record)
    assert first == again
    # and the same numbers as the weights saved by training
    model = archive.model
    state = torch.load(trained / "best.th", map_location="cpu")
    for name, value in model.state_dict().items():
        assert torch.equal(value, state[name]), name


def test_dm2s2_console_script_has_the_plugin_commands():
    from pathlib import Path

    script = Path(sys.executable).parent / "dm2s2"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True,
                            env=dict(os.environ, HF_HUB_OFFLINE="1"))
    assert result.returncode == 0, result.stderr[-2000:]
    for command in ("train", "cross-validate", "explain", "erase-modalities", "group-split", "results-table",
                    "train-lightgbm", "extract-visual-features"):
        assert command in result.stdout
