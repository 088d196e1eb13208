"""AllenNLP distributed training (torch DDP, 2 CPU worker processes over gloo) gives the same metrics as one process
on the same data: each worker reads every other record and gets a batch of 4; the single process a batch of 8. With
mean losses, all-reduced metric counts and the same seed, the two runs are the same computation up to float
rounding; tolerance 1e-4. The frozen-encoder cache is on in both and shared by the two workers."""
import json

import pytest
from allennlp.commands.train import train_model
from allennlp.common import Params

from tests.conftest import FIXTURES


def run(tmp_path, name, distributed):
    # no label counts given: the fit_to_data callback sums the two workers' counts
    overrides = {"data_loader.batch_size": 4 if distributed else 8, "trainer.num_epochs": 3,
                 "model.encoder.cache": {"directory": str(tmp_path / "cache")}}
    if distributed:
        overrides["distributed"] = {"cuda_devices": [-1, -1]}
    params = Params.from_file(str(FIXTURES / "configs" / "multilabel.jsonnet"), json.dumps(overrides))
    train_model(params, str(tmp_path / name))
    return json.loads((tmp_path / name / "metrics.json").read_text())


def test_two_gloo_workers_match_one_process(tmp_path):
    single = run(tmp_path, "single", distributed=False)
    double = run(tmp_path, "ddp", distributed=True)
    assert (tmp_path / "ddp" / "out_worker0.log").exists() and (tmp_path / "ddp" / "out_worker1.log").exists()
    for key in ("training_loss", "validation_loss", "validation_f1_micro", "validation_f1_macro",
                "validation_f1_samples", "training_f1_micro"):
        assert double[key] == pytest.approx(single[key], abs=1e-4), key
