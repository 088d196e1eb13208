"""Bad data met inside `allennlp train` / `evaluate`: each stops with a message that names the records, the file and
the line, or is left out with a warning -- and no NaN or infinity reaches metrics.json."""
import json
import math
import subprocess
import sys

import pytest
from allennlp.commands.train import train_model
from allennlp.common import Params

from tests.conftest import FIXTURES, ROOT

CONFIGS = FIXTURES / "configs"


def records(name):
    return [json.loads(line) for line in (FIXTURES / "generic" / name).read_text().splitlines() if line.strip()]


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def train(tmp_path, config, **overrides):
    params = Params.from_file(str(CONFIGS / config), json.dumps(overrides))
    train_model(params, str(tmp_path / "run"))
    return json.loads((tmp_path / "run" / "metrics.json").read_text())


def all_finite(metrics):
    return all(math.isfinite(v) for v in metrics.values() if isinstance(v, float))


def test_a_validation_label_the_training_data_never_had(tmp_path):
    dev = records("classification.jsonl")
    dev[3]["label"] = "parallel_maybe"
    path = write(tmp_path / "dev.jsonl", dev)
    with pytest.raises(Exception, match=r"dev.jsonl:4: field 'label': label 'parallel_maybe' is not one of the labels "
                                        r"the model was trained with \['non_parallel', 'parallel'\]"):
        train(tmp_path, "classification.jsonnet", validation_data_path=path)


def test_a_one_class_validation_set_leaves_auc_out(tmp_path):
    dev = [r for r in records("classification.jsonl") if r["label"] == "parallel"]
    metrics = train(tmp_path, "classification.jsonnet", validation_data_path=write(tmp_path / "dev.jsonl", dev))
    assert "validation_auc" not in metrics and "validation_accuracy" in metrics and all_finite(metrics)
    assert "metric 'auc' is undefined on this data" in (tmp_path / "run" / "out.log").read_text()


def test_a_single_class_training_set_fails(tmp_path):
    train_rows = [dict(r, label="parallel") for r in records("classification.jsonl")]
    with pytest.raises(Exception, match="single class, 'parallel'"):
        train(tmp_path, "classification.jsonnet", train_data_path=write(tmp_path / "train.jsonl", train_rows))


def test_an_unlabeled_training_file_says_so(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "label"} for r in records("multilabel.jsonl")]
    with pytest.raises(Exception, match="no labeled record -- every training record needs its label"):
        train(tmp_path, "multilabel.jsonnet", train_data_path=write(tmp_path / "train.jsonl", rows))


def test_a_non_finite_loss_stops_training_naming_the_records(tmp_path):
    rows = records("regression.jsonl")
    rows[2]["label"] = 1e30  # representable, but its square is not: the unscaled RMSE overflows
    path = write(tmp_path / "train.jsonl", rows)
    with pytest.raises(Exception, match=r"the training loss is (inf|nan) on the batch with records \['r1', 'r2', "
                                        r"'r3', 'r4'\]"):
        train(tmp_path, "regression.jsonnet", train_data_path=path, validation_data_path=path,
              **{"model.head.standardize_targets": False})


def test_huge_regression_targets_train_finitely_once_standardised(tmp_path):
    rows = records("regression.jsonl")
    rows[2]["label"] = 1e30
    path = write(tmp_path / "train.jsonl", rows)
    metrics = train(tmp_path, "regression.jsonnet", train_data_path=path, validation_data_path=path)
    assert all_finite(metrics) and math.isfinite(metrics["training_loss"])


def test_evaluate_on_an_empty_file_fails(tmp_path):
    train(tmp_path, "multilabel.jsonnet")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    result = subprocess.run([sys.executable, "-m", "allennlp", "evaluate", str(tmp_path / "run" / "model.tar.gz"),
                             str(empty), "--include-package", "dm2s2_allennlp"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode != 0 and "empty.jsonl: no records" in result.stderr
