"""The trainer callbacks inside `allennlp train`: ``fit_to_data`` fits the head to the training labels (class
weights, regression target scaling), ``stack_and_tune`` tunes multi-label thresholds on the validation data before
the trainer saves the best epoch (best.th is the trainer's own copy of that epoch's checkpoint: nothing rewrites it),
and the archive carries both into `allennlp predict`; ``flush_encoder_cache`` leaves every state on disk at the end
of training."""
import json
import subprocess
import sys

import pytest
import torch
from allennlp.commands.train import train_model
from allennlp.common import Params
from allennlp.models.archival import load_archive
from allennlp.predictors import Predictor

from tests.conftest import FIXTURES

CONFIGS = FIXTURES / "configs"


def train(tmp_path, config, **overrides):
    params = Params.from_file(str(CONFIGS / config), json.dumps(overrides))
    train_model(params, str(tmp_path / "run"))
    return load_archive(str(tmp_path / "run" / "model.tar.gz")), json.loads((tmp_path / "run" / "metrics.json")
                                                                            .read_text())


def records(name):
    with open(FIXTURES / "generic" / name) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_regression_targets_are_standardised_and_round_trip_through_the_archive(tmp_path):
    archive, metrics = train(tmp_path, "regression.jsonnet", **{"trainer.num_epochs": 3})
    targets = torch.tensor([r["label"] for r in records("regression.jsonl")], dtype=torch.float64)
    head = archive.model.head
    assert float(head.target_mean) == pytest.approx(float(targets.mean()), rel=1e-6)
    assert float(head.target_std) == pytest.approx(float(targets.std(unbiased=False)), rel=1e-5)
    predictor = Predictor.from_archive(archive)
    outputs = [predictor.predict_json(r) for r in records("regression.jsonl")]
    # predictions in the target's own units: their RMSE against the targets is the evaluation's Eq. 17
    predicted = torch.tensor([o["prediction"] for o in outputs], dtype=torch.float64)
    rmse = float(((predicted - targets) ** 2).mean().sqrt())
    assert metrics["best_validation_rmse"] == pytest.approx(rmse, rel=1e-4)  # validation data = training data here


def test_tuned_thresholds_are_saved_and_used_by_predict(tmp_path):
    archive, metrics = train(tmp_path, "multilabel.jsonnet", **{"model.head.tune_thresholds": True,
                                                                 "trainer.num_epochs": 3,
                                                                 "trainer.checkpointer": {"keep_most_recent_by_count": 5}})
    head = archive.model.head
    thresholds = head.thresholds.tolist()
    assert any(abs(t - 0.5) > 1e-6 for t in thresholds), thresholds  # tuned, not the default
    best = torch.load(tmp_path / "run" / "best.th")
    assert torch.equal(best["head.thresholds"], head.thresholds) and bool(best["head.thresholds_tuned"])
    # the trainer's checkpoint of the best epoch already holds them: best.th is that file, not rewritten afterwards
    checkpoint = torch.load(tmp_path / "run" / f"model_state_e{metrics['best_epoch'] + 1}_b0.th")
    assert checkpoint.keys() == best.keys() and all(torch.equal(checkpoint[k], best[k]) for k in best)
    predictor = Predictor.from_archive(archive)
    for record in records("unlabeled.jsonl") + records("multilabel.jsonl"):
        output = predictor.predict_json(record)
        expected = [name for name, t in zip(head.names, thresholds) if output["label_probs"][name] >= t]
        assert output["labels"] == expected


def test_class_weights_come_from_the_training_labels(tmp_path):
    archive, _ = train(tmp_path, "classification.jsonnet", **{"model.head.class_weighting": "inverse"})
    head = archive.model.head
    labels = [r["label"] for r in records("classification.jsonl")]
    counts = torch.tensor([float(labels.count(name)) for name in head.names])
    raw = 1 / counts
    torch.testing.assert_close(head.class_weights, raw * len(raw) / raw.sum())


def test_the_cache_is_on_disk_when_training_ends(tmp_path):
    cache = tmp_path / "cache"
    train(tmp_path, "multilabel.jsonnet", **{"model.encoder.cache": {"directory": str(cache)}})
    databases = [p for p in cache.iterdir() if p.is_dir()]
    assert len(databases) == 1
    # read by another process, as the next run would
    count = "import lmdb, sys; print(lmdb.open(sys.argv[1], readonly=True, lock=False).stat()['entries'])"
    entries = subprocess.run([sys.executable, "-c", count, str(databases[0])], capture_output=True, text=True,
                             check=True).stdout
    assert int(entries) == len(records("multilabel.jsonl"))
