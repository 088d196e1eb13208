import json
import os
import subprocess
import sys

import pytest

from dm2s2_allennlp.commands.cross_validate import cross_validate
from dm2s2_allennlp.commands.results_table import collect, parse_rows, render
from tests.conftest import FIXTURES, ROOT

ADS_CONFIG = str(FIXTURES / "configs" / "ads_parallelity.jsonnet")


@pytest.mark.parametrize("config, folds, problem", [
    (ADS_CONFIG, 1, r"--folds must be at least 2"), (ADS_CONFIG, 0, r"--folds must be at least 2"),
    (ADS_CONFIG, 13, r"--folds 13 is more than the 12 records"),
    (ADS_CONFIG, 2, r"with --folds 2 the training part of a fold .* is empty: .* needs --folds 3 or more"),
    (str(FIXTURES / "configs" / "multilabel.jsonnet"), 3, r"needs a dataset reader that splits its data into folds .* "
                                                          r"'multimodal_jsonl' has none"),
])
def test_cross_validate_refuses_what_it_cannot_do_before_training(tmp_path, config, folds, problem):
    from allennlp.common.checks import ConfigurationError

    with pytest.raises(ConfigurationError, match=problem):
        cross_validate(config, str(tmp_path / "cv"), folds=folds)
    assert not (tmp_path / "cv").exists()


def test_cross_validate_on_the_ads_fixture_and_resume(tmp_path):
    out = tmp_path / "cv"
    result = cross_validate(ADS_CONFIG, str(out), folds=3)
    for fold in range(3):
        metrics = json.loads((out / f"fold_{fold}" / "metrics.json").read_text())
        assert "test_accuracy" in metrics
        assert (out / f"fold_{fold}" / "model.tar.gz").exists()
        # each fold really held out its own fold: the config's reader saw fold = i
        config = json.loads((out / f"fold_{fold}" / "config.json").read_text())
        assert config["dataset_reader"]["fold"] == fold and config["dataset_reader"]["folds"] == 3
    saved = json.loads((out / "metrics_cv.json").read_text())
    # the reader split into the 3 folds that were held out (its default is 5): every one of the 12 images tested once
    assert saved["folds"] == 3 and len(saved["fold_sizes"]) == 3 and sum(saved["fold_sizes"]) == 12
    assert saved == json.loads(json.dumps(result))
    accuracy = saved["metrics"]["accuracy"]
    folds = [json.loads((out / f"fold_{i}" / "metrics.json").read_text())["test_accuracy"] for i in range(3)]
    assert accuracy["folds"] == pytest.approx(folds)
    assert accuracy["mean"] == pytest.approx(sum(folds) / 3)
    mean = sum(folds) / 3
    assert accuracy["std"] == pytest.approx((sum((f - mean) ** 2 for f in folds) / 2) ** 0.5)
    # resume: finished folds are not redone; a removed fold is
    stamps = {i: os.path.getmtime(out / f"fold_{i}" / "model.tar.gz") for i in range(3)}
    (out / "fold_1" / "metrics.json").unlink()
    (out / "fold_1" / "model.tar.gz").unlink()
    cross_validate(ADS_CONFIG, str(out), folds=3)
    assert os.path.getmtime(out / "fold_0" / "model.tar.gz") == stamps[0]
    assert os.path.getmtime(out / "fold_2" / "model.tar.gz") == stamps[2]
    assert (out / "fold_1" / "model.tar.gz").exists()


def test_cross_validate_is_a_registered_command(tmp_path):
    out = tmp_path / "cv"
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    result = subprocess.run([sys.executable, "-m", "allennlp", "cross-validate", ADS_CONFIG, "-s", str(out),
                             "--folds", "3", "--include-package", "dm2s2_allennlp"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "accuracy:" in result.stdout and (out / "metrics_cv.json").exists()


def write(path, metrics):
    path.mkdir(parents=True, exist_ok=True)
    (path / "metrics.json").write_text(json.dumps(metrics))
    return str(path)


def test_results_table_by_hand(tmp_path):
    a1 = write(tmp_path / "a1", {"test_f1_micro": 0.60, "test_f1_macro": 0.50, "best_validation_f1_micro": 0.9})
    a2 = write(tmp_path / "a2", {"test_f1_micro": 0.70, "test_f1_macro": 0.52})
    b = write(tmp_path / "b", {"best_validation_f1_micro": 0.55, "best_validation_f1_macro": 0.45})
    cv = tmp_path / "cv"
    cv.mkdir()
    (cv / "metrics_cv.json").write_text(json.dumps({"metrics": {"f1_micro": {"folds": [0.1, 0.3]},
                                                                "f1_macro": {"folds": [0.2, 0.2]}}}))
    rows = parse_rows([f"DM2S2={a1},{a2}", f"encoder only={b}", f"cv={cv}"])
    table = collect(rows, ["f1_micro", "f1_macro"])
    assert table["DM2S2"]["f1_micro"]["mean"] == pytest.approx(0.65)  # test_ preferred to best_validation_
    text = render(table, ["f1_micro", "f1_macro"], percent=True)
    assert text.splitlines()[0] == "| model | f1_micro | f1_macro |"
    assert "| DM2S2 | 65.00 ± 7.07 | 51.00 ± 1.41 |" in text
    assert "| encoder only | 55.00 | 45.00 |" in text
    assert "| cv | 20.00 ± 14.14 | 20.00 ± 0.00 |" in text
    relative = render(table, ["f1_micro"], relative_to="encoder only")
    assert "| encoder only | 1.0000 |" in relative and "| DM2S2 | 1.1818 ± 0.1286 |" in relative
    assert render(table, ["f1_micro"], fmt="csv").splitlines()[1] == "DM2S2,0.65 ± 0.07"
    with pytest.raises(KeyError):
        collect(parse_rows([f"x={a1}"]), ["rmse"])
