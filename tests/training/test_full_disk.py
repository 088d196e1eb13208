"""A disk that fills up while a run writes (issue 35): a checkpoint is written to a temporary file and renamed
(`atomic` checkpointer), so none is ever left truncated; an archive cut short is removed; the error is one
ConfigurationError naming the run folder."""
import errno
import json
import tarfile

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from dm2s2_allennlp.training.settled_train import train_settled
from tests.conftest import FIXTURES

CONFIG = str(FIXTURES / "configs" / "multilabel.jsonnet")


def test_a_checkpoint_cut_short_by_a_full_disk_is_never_left_behind(tmp_path, monkeypatch):
    def save(value, target, *args, **kwargs):  # the disk fills up after 1,000 bytes of any checkpoint
        handle = target if hasattr(target, "write") else open(target, "wb")
        handle.write(b"x" * 1000)
        handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(torch, "save", save)
    run = tmp_path / "run"
    with pytest.raises(ConfigurationError, match="cannot write the run folder .*No space left on device"):
        train_settled(Params.from_file(CONFIG, json.dumps({"trainer.num_epochs": 1})), str(run))
    assert not run.exists() or not [p for p in run.iterdir() if p.name.endswith(".th") or "state" in p.name]


def test_an_archive_cut_short_by_a_full_disk_is_removed(tmp_path, monkeypatch):
    real_add = tarfile.TarFile.add

    def add(self, name, *args, **kwargs):
        if kwargs.get("arcname") == "weights.th":
            self.fileobj.write(b"x" * 2000)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_add(self, name, *args, **kwargs)

    monkeypatch.setattr(tarfile.TarFile, "add", add)
    run = tmp_path / "run"
    with pytest.raises(ConfigurationError, match="No space left on device"):
        train_settled(Params.from_file(CONFIG, json.dumps({"trainer.num_epochs": 1})), str(run))
    assert (run / "best.th").exists() and not (run / "model.tar.gz").exists()
