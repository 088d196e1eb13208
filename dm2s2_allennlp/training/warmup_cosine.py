"""``warmup_cosine``: the paper's schedule (DM2S2 Section IV-C, after DMMS): the learning rate rises linearly from 0 to
the optimizer's ``lr`` over the first ``warmup_epochs`` epochs, then follows a cosine annealing down to ``min_lr``
over the remaining epochs.

With ``W = warmup_epochs x steps_per_epoch`` and ``T = num_epochs x steps_per_epoch`` optimizer steps, the rate used
for the optimizer step with index ``t`` (0-based) is

    lr(t) = base_lr * (t + 1) / W                                              for t < W
    lr(t) = min_lr + (base_lr - min_lr) * (1 + cos(pi * (t - W) / (T - W))) / 2  for W <= t < T

so the first step already moves (lr > 0) and the peak is reached on the last warm-up step. AllenNLP has no scheduler
that does this (``linear_with_warmup`` decays linearly; ``cosine`` has no warm-up), and transformers'
``get_cosine_schedule_with_warmup`` is the same cosine but warms up one step late (its first step has lr 0, a step
that does nothing; tests/training/test_warmup_cosine.py shows both), hence this one. The rate is
updated every batch (``per_step: false`` updates it once per epoch instead, using epoch indices in the formula).
"""
import math
from typing import List

import torch
from allennlp.training.learning_rate_schedulers import LearningRateScheduler


@LearningRateScheduler.register("warmup_cosine")
class WarmupCosine(LearningRateScheduler):
    def __init__(self, optimizer: torch.optim.Optimizer, num_epochs: int, num_steps_per_epoch: int = 1,
                 warmup_epochs: float = 5, min_lr: float = 0.0, per_step: bool = True, last_epoch: int = -1) -> None:
        self.per_step = per_step
        units = num_steps_per_epoch if per_step else 1
        self.total = max(1, int(num_epochs * units))
        self.warmup = min(self.total, max(0, int(round(warmup_epochs * units))))
        self.min_lr = min_lr
        self.current = 0
        super().__init__(optimizer, last_epoch)
        self._set(0)

    def factor_lr(self, base_lr: float, t: int) -> float:
        if t < self.warmup:
            return base_lr * (t + 1) / self.warmup
        span = max(1, self.total - self.warmup)
        progress = min(1.0, (t - self.warmup) / span)
        return self.min_lr + (base_lr - self.min_lr) * (1 + math.cos(math.pi * progress)) / 2

    def _set(self, t: int) -> None:
        self.current = t
        for group, base in zip(self.optimizer.param_groups, self.base_values):
            group[self.param_group_field] = self.factor_lr(base, t)

    def get_values(self) -> List[float]:
        return [self.factor_lr(base, self.current) for base in self.base_values]

    def step_batch(self, batch_num_total: int = None) -> None:
        # the trainer calls this just before optimizer step number `batch_num_total` (1-based)
        if self.per_step and batch_num_total is not None:
            self._set(batch_num_total - 1)

    def step(self, metric: float = None) -> None:
        # called at the end of every epoch: the next epoch has index last_epoch + 1
        self.last_epoch += 1
        if not self.per_step:
            self._set(self.last_epoch + 1)

    def state_dict(self):
        return {"last_epoch": self.last_epoch, "current": self.current}

    def load_state_dict(self, state_dict) -> None:
        self.last_epoch = state_dict["last_epoch"]
        self._set(state_dict["current"])
