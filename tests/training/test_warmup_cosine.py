"""The paper's schedule: linear warm-up from 0 to 1e-3 over 5 epochs, then cosine annealing - checked against the
formula, and inside a real AllenNLP trainer (the rate the optimizer actually used at every step)."""
import math

import pytest
import torch
from allennlp.common import Params
from allennlp.training.callbacks import TrainerCallback
from allennlp.training.learning_rate_schedulers import LearningRateScheduler


@TrainerCallback.register("track_lr")
class TrackLr(TrainerCallback):
    """Records the learning rate each optimizer step used (on_batch runs right after the step)."""

    def on_start(self, trainer, is_primary: bool = True, **kwargs) -> None:
        self.lrs = []

    def on_batch(self, trainer, batch_inputs, batch_outputs, batch_metrics, epoch, batch_number, is_training,
                 is_primary=True, batch_grad_norm=None, **kwargs) -> None:
        if is_training:
            self.lrs.append(trainer.optimizer.param_groups[0]["lr"])

    def on_end(self, trainer, metrics=None, epoch=None, is_primary=True, **kwargs) -> None:
        torch.save(self.lrs, f"{self.serialization_dir}/lrs.pt")


def expected(t, total, warmup, base=1e-3):
    if t < warmup:
        return base * (t + 1) / warmup
    return base * (1 + math.cos(math.pi * (t - warmup) / (total - warmup))) / 2


def make(num_epochs=20, steps=7, **kwargs):
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    params = Params({"type": "warmup_cosine", "warmup_epochs": 5, **kwargs})
    scheduler = LearningRateScheduler.from_params(params, optimizer=optimizer, num_epochs=num_epochs,
                                                  num_steps_per_epoch=steps)
    return optimizer, scheduler


def test_curve_per_step_as_the_trainer_drives_it():
    optimizer, scheduler = make()
    total, warmup = 20 * 7, 5 * 7
    seen = []
    step = 0
    for _epoch in range(20):
        for _ in range(7):
            step += 1
            scheduler.step_batch(step)  # the trainer's order: step_batch, then optimizer.step
            seen.append(optimizer.param_groups[0]["lr"])
        scheduler.step()
    assert seen == pytest.approx([expected(t, total, warmup) for t in range(total)], rel=1e-12)
    assert seen[0] > 0 and max(seen) == pytest.approx(1e-3) and seen.index(max(seen)) == warmup - 1
    assert all(a < b for a, b in zip(seen[:warmup - 1], seen[1:warmup]))  # rises linearly
    assert all(a >= b for a, b in zip(seen[warmup:], seen[warmup + 1:]))  # then only decays
    assert seen[-1] < 1e-6


def test_per_epoch_granularity_and_state_round_trip():
    optimizer, scheduler = make(per_step=False)
    lrs = [optimizer.param_groups[0]["lr"]]
    for _ in range(19):
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    assert lrs == pytest.approx([expected(e, 20, 5) for e in range(20)], rel=1e-12)
    state = scheduler.state_dict()
    optimizer2, scheduler2 = make(per_step=False)
    scheduler2.load_state_dict(state)
    assert optimizer2.param_groups[0]["lr"] == optimizer.param_groups[0]["lr"]


def test_inside_allennlp_training(tmp_path):
    from allennlp.commands.train import train_model

    from tests.conftest import FIXTURES

    params = Params.from_file(str(FIXTURES / "configs" / "classification.jsonnet"))
    params["trainer"]["num_epochs"] = 4
    params["trainer"]["learning_rate_scheduler"] = {"type": "warmup_cosine", "warmup_epochs": 2}
    params["trainer"]["optimizer"]["lr"] = 1e-3
    params["data_loader"]["batch_size"] = 2  # 6 records -> 3 steps per epoch, 12 in all
    params["trainer"]["callbacks"] = [{"type": "track_lr"}]
    train_model(params, str(tmp_path))
    lrs = torch.load(tmp_path / "lrs.pt")
    assert lrs == pytest.approx([expected(t, 12, 6) for t in range(12)], rel=1e-9)


def test_transformers_cosine_schedule_is_the_same_cosine_but_warms_up_one_step_late():
    from transformers import get_cosine_schedule_with_warmup

    steps, epochs, warmup = 7, 20, 5
    optimizer, scheduler = make(num_epochs=epochs, steps=steps)
    ours = []
    for t in range(steps * epochs):
        scheduler.step_batch(t + 1)
        ours.append(optimizer.param_groups[0]["lr"])
    hf_optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    hf = get_cosine_schedule_with_warmup(hf_optimizer, warmup * steps, steps * epochs)
    theirs = []
    for _ in range(steps * epochs):  # the rate each optimizer step uses, then the scheduler steps (HF's usage)
        theirs.append(hf_optimizer.param_groups[0]["lr"])
        hf_optimizer.step()
        hf.step()
    w = warmup * steps
    assert theirs[0] == 0.0 and ours[0] > 0.0  # transformers' first step does nothing
    assert ours[:w - 1] == pytest.approx(theirs[1:w])  # its warm-up is ours one step later
    assert ours[w:] == pytest.approx(theirs[w:])  # the same cosine
