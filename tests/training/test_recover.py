"""A killed zero-config run of the recipe resumes (issue 35): `dm2s2 train` settles the inferred facts before the
run, so the run's config.json states them from its first byte, nothing rewrites it, and `--recover` (which settles
the same facts from the same file) finds the config it started with and finishes to the files an uninterrupted run
writes."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import FIXTURES, ROOT

DM2S2 = str(Path(sys.executable).parent / "dm2s2")
RECIPE = "experiments/quickstart/movies_dm2s2.jsonnet"
EPOCHS = 3


def records(copies: int):
    base = [json.loads(line) for line in open(FIXTURES / "generic" / "classification.jsonl") if line.strip()]
    return [dict(r, id=f"{r['id']}-{k}") for k in range(copies) for r in base]


def train(run: Path, data: Path, *extra: str, wait: bool = True):
    overrides = json.dumps({"train_data_path": str(data), "validation_data_path": str(data),
                            "trainer.num_epochs": EPOCHS, "trainer.patience": None})
    env = dict(os.environ, HF_HUB_OFFLINE="1", DM2S2_CACHE_DIR=str(run.parent / "cache"))
    command = [DM2S2, "train", RECIPE, "-s", str(run), "-o", overrides, *extra]
    if not wait:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


def test_a_killed_recipe_run_resumes_with_recover_to_the_files_of_an_uninterrupted_run(tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records(80)))
    whole = tmp_path / "whole"
    train(whole, data)

    killed = tmp_path / "killed"
    process = train(killed, data, wait=False)
    deadline = time.time() + 300
    while not list(killed.glob("training_state_e*.th")) and process.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # the checkpoint's files are written (AllenNLP's torch.save is not atomic)
    process.send_signal(signal.SIGKILL)  # in the second epoch: one checkpoint written, no archive
    process.wait()
    assert list(killed.glob("model_state_e*.th")) and not (killed / "model.tar.gz").exists()
    config = (killed / "config.json").read_text()
    assert json.loads(config)["dataset_reader"]["modalities"] == ["transcription", "message", "natural", "faces"]

    train(killed, data, "--recover")
    assert (killed / "config.json").read_text() == config  # never rewritten
    files = {p.name for p in killed.iterdir() if not p.name.startswith(("out", "log"))}
    assert files == {p.name for p in whole.iterdir() if not p.name.startswith(("out", "log"))}
    metrics = json.loads((killed / "metrics.json").read_text())
    assert metrics["epoch"] == EPOCHS - 1 and set(metrics) == set(json.loads((whole / "metrics.json").read_text()))
