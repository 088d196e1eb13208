"""Magnitude-aware numeric features: the value of every modality that is a number, as a number.

A modality's value reaches the encoder as text ("1995", "81", "0.37"), and a subword encoder sees digits, not
magnitudes. The readers therefore also keep, per modality, ``[signlog(value), 1]`` when its raw value is a JSON number
and ``[0, 0]`` otherwise (``signlog(x) = sign(x) log(1 + |x|)``, which tames heavy tails such as vote counts or
incomes; ``numbers`` field, ``(M, 2)``). ``NumericFeatures`` standardises each modality's signlog values with the mean
and standard deviation of the training data (fitted once, kept as buffers) and returns, per record,
``[z_1 .. z_M, present_1 .. present_M]`` (z = 0 where absent). A model that uses it appends these 2M numbers to
its pooled representation before the prediction MLP.
"""
import math

import torch

from dm2s2_allennlp.modules.fitted import Fitted


def signlog(value: float) -> float:
    return math.copysign(math.log1p(abs(value)), value)


class NumericFeatures(Fitted):
    def __init__(self, num_modalities: int) -> None:
        super().__init__()
        self.num_modalities = num_modalities
        self.register_buffer("mean", torch.zeros(num_modalities))
        self.register_buffer("std", torch.ones(num_modalities))

    @property
    def output_dim(self) -> int:
        return 2 * self.num_modalities

    @staticmethod
    def statistics(numbers: torch.Tensor) -> torch.Tensor:
        """Summable statistics of ``(n, M, 2)`` numbers: per modality (count, sum, sum of squares) of the present
        values, ``(3, M)``."""
        values, present = numbers[..., 0].double(), numbers[..., 1].double()
        return torch.stack([present.sum(0), (values * present).sum(0), (values ** 2 * present).sum(0)])

    def set_statistics(self, statistics: torch.Tensor) -> None:
        count, total, squares = statistics
        mean = torch.where(count > 0, total / count.clamp_min(1), torch.zeros_like(total))
        variance = torch.where(count > 0, squares / count.clamp_min(1) - mean ** 2, torch.ones_like(total))
        std = variance.clamp_min(0).sqrt()
        self.mean.copy_(mean.float())
        self.std.copy_(torch.where(std > 1e-6, std, torch.ones_like(std)).float())
        self.mark_fitted()

    def forward(self, numbers: torch.Tensor) -> torch.Tensor:
        """``(batch, M, 2)`` -> ``(batch, 2M)``."""
        values, present = numbers[..., 0], numbers[..., 1]
        z = (values - self.mean) / self.std * present
        return torch.cat([z, present], dim=-1)
