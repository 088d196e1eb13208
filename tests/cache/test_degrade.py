"""The cache never costs a run: a full disk under it, a read-only directory, or a path that is a file, and
`allennlp train` still writes its checkpoint and archive, with one warning saying why the cache's disk tier is off.
The full and read-only disks are real (a 1 MB tmpfs, a read-only tmpfs; root can mount them, as in CI); elsewhere
those cases skip, saying so."""
import json
import os
import subprocess

import pytest
import torch

from dm2s2_allennlp.cache import EncoderStateCache
from tests.conftest import run_allennlp


def tmpfs(path, options):
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    return path


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB file system, nearly filled once the cache has opened its database (``fill()``)."""
    disk = tmpfs(tmp_path / "disk", "size=1m")

    def fill():
        with open(disk / "filler", "wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * 4096)
            except OSError:  # no space left: the disk is full
                pass
    yield disk, fill
    subprocess.run(["umount", "--lazy", str(disk)], check=True)  # the process keeps its LMDB environment open


@pytest.fixture
def read_only_disk(tmp_path):
    disk = tmpfs(tmp_path / "ro", "ro,size=1m")
    yield disk
    subprocess.run(["umount", "--lazy", str(disk)], check=True)


def test_a_full_disk_turns_the_disk_tier_off_and_keeps_the_states_in_memory(small_disk, caplog):
    disk, fill = small_disk
    cache = EncoderStateCache("full", str(disk), "float32")
    cache.put_many([b"first"], [torch.ones(4, 4)])
    cache.flush()
    fill()
    keys = [bytes([i]) * 8 for i in range(64)]
    cache.put_many(keys, [torch.randn(64, 64) for _ in keys])  # 1 MB more than the disk has
    cache.flush()
    warnings = [r.getMessage() for r in caplog.records if "disk tier" in r.getMessage()]
    assert len(warnings) == 1 and "a write failed" in warnings[0], warnings
    assert all(state is not None for state in cache.get_many(keys, torch.device("cpu")))


def train_with_cache_in(directory, tmp_path):
    run = tmp_path / "run"
    overrides = json.dumps({"model.encoder.cache": {"directory": str(directory)}})
    result = run_allennlp("train", "fixtures/configs/multilabel.jsonnet", "-s", str(run), "-o", overrides)
    assert (run / "model.tar.gz").exists() and (run / "best.th").exists()
    metrics = json.loads((run / "metrics.json").read_text())
    assert "best_validation_f1_micro" in metrics
    output = result.stdout + result.stderr
    assert output.count("encoder-state cache: the disk tier in") == 1, output[-3000:]
    assert "Traceback" not in output
    return output


def test_training_survives_a_cache_directory_that_fills_up(small_disk, tmp_path):
    disk, fill = small_disk
    directory = disk / "cache"
    # open the database (its two files) first, then leave no room for the states
    EncoderStateCache("x", str(directory)).env  # noqa: B018
    fill()
    assert "because" in train_with_cache_in(directory, tmp_path)


def test_training_survives_a_read_only_cache_directory(read_only_disk, tmp_path):
    output = train_with_cache_in(read_only_disk / "cache", tmp_path)
    assert "cannot be opened" in output and "Read-only file system" in output


def test_training_survives_a_cache_path_that_is_a_file(tmp_path):
    path = tmp_path / "not_a_directory"
    path.write_text("a file where the cache directory should be\n")
    output = train_with_cache_in(path, tmp_path)
    assert "cannot be opened" in output and os.path.isfile(path)
