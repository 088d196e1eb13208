"""Config mistakes under `dm2s2 train` (issue 35): one line naming the key or file, checked before the run where it
can be, and no run folder left behind by a run that failed before its first checkpoint."""
import json

import pytest

from tests.commands.test_cli_messages import dm2s2

CONFIG = "fixtures/configs/multilabel.jsonnet"


@pytest.mark.parametrize("overrides, message", [
    ({"model.encoderr": {}}, "a config key that no component takes (got an unexpected keyword argument 'encoderr')"),
    ({"trainer.optimizer.lr": -0.001}, "`trainer.optimizer.lr` must be a number in (0, inf]"),
    ({"trainer.num_epochs": 0}, "`trainer.num_epochs` must be a number in [1, inf]"),
    ({"data_loader.batch_size": 0}, "`data_loader.batch_size` must be a number in [1, inf]"),
    ({"model.mlp": {"hidden_dims": [-16]}}, "`mlp.hidden_dims[0]` must be a number in [1, inf]"),
])
def test_a_config_mistake_is_one_line_and_leaves_no_run_folder(tmp_path, overrides, message):
    run = tmp_path / "run"
    result = dm2s2("train", CONFIG, "-s", str(run), "-o", json.dumps(overrides))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert message in result.stderr.splitlines()[-2]
    assert not run.exists()


def test_a_broken_jsonnet_import_and_an_unwritable_run_folder_are_one_line(tmp_path):
    config = tmp_path / "broken.jsonnet"
    config.write_text("(import 'missing.libsonnet') + {}")
    result = dm2s2("train", str(config), "-s", str(tmp_path / "run"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{config}:" in result.stderr.splitlines()[-2] and "missing.libsonnet" in result.stderr
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    result = dm2s2("train", CONFIG, "-s", str(blocker / "run"))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "cannot write the run folder" in result.stderr.splitlines()[-2]


def test_a_missing_data_file_is_one_line_before_the_run_and_in_evaluate(tmp_path, multilabel_archive):
    missing = str(tmp_path / "nowhere" / "dev.csv")
    run = tmp_path / "run"
    result = dm2s2("train", CONFIG, "-s", str(run), "-o", json.dumps({"validation_data_path": missing}))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert f"dm2s2: {missing}: no such file (the config's `validation_data_path`" in result.stderr
    assert not run.exists()
    result = dm2s2("evaluate", str(multilabel_archive / "model.tar.gz"), missing)
    assert result.returncode == 1 and f"dm2s2: {missing}: no such file" in result.stderr, result.stderr[-3000:]
