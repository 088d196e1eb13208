"""Magnitude-aware numeric features: the value of every modality that is a number, as a number.

A modality's value reaches the encoder as text ("1995", "81", "0.37"), and a subword encoder sees digits, not
magnitudes. The readers therefore also keep, per modality, ``[signlog(value), 1]`` when its value is a number
(``multimodal_reader.number_of``) and ``[0, 0]`` otherwise (``signlog(x) = sign(x) log(1 + |x|)``, which tames heavy
tails such as vote counts or incomes; ``numbers`` field, ``(M, 2)``).

Which modalities are NUMERIC is the package's one rule, the one LightGBM's features use (``gbm.features``): those
whose every present value in the training data is a number -- a year, a count, a price; not a title that is
sometimes "1999". ``NumericFeatures`` learns it from the training data with the values' mean and standard deviation
(fitted once, kept as buffers: ``numeric``, ``mean``, ``std``), standardises each numeric modality's signlog values
and returns, per record, ``[z_1 .. z_M, present_1 .. present_M]`` (both 0 for a missing value and for every
modality that is not numeric). A model that uses it appends these 2M numbers to its pooled representation before the
prediction MLP.
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
        self.register_buffer("numeric", torch.ones(num_modalities, dtype=torch.bool))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs) -> None:
        # archives before 0.4 have no `numeric`: they used every modality's numbers
        state_dict.setdefault(prefix + "numeric", torch.ones_like(self.numeric))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    @property
    def output_dim(self) -> int:
        return 2 * self.num_modalities

    @staticmethod
    def statistics(numbers: torch.Tensor, present: torch.Tensor) -> torch.Tensor:
        """Summable statistics of ``(n, M, 2)`` numbers and the ``(n, M)`` presence of each value (a number or not):
        per modality the count, sum and sum of squares of the numbers and the count of present values, ``(4, M)``."""
        values, number = numbers[..., 0].double(), numbers[..., 1].double()
        return torch.stack([number.sum(0), (values * number).sum(0), (values ** 2 * number).sum(0),
                            present.double().sum(0)])

    def set_statistics(self, statistics: torch.Tensor) -> None:
        count, total, squares, present = statistics
        self.numeric.copy_((count > 0) & (count == present))
        mean = torch.where(count > 0, total / count.clamp_min(1), torch.zeros_like(total))
        variance = torch.where(count > 0, squares / count.clamp_min(1) - mean ** 2, torch.ones_like(total))
        std = variance.clamp_min(0).sqrt()
        self.mean.copy_(mean.float())
        self.std.copy_(torch.where(std > 1e-6, std, torch.ones_like(std)).float())
        self.mark_fitted()

    def forward(self, numbers: torch.Tensor) -> torch.Tensor:
        """``(batch, M, 2)`` -> ``(batch, 2M)``."""
        values, present = numbers[..., 0], numbers[..., 1] * self.numeric
        z = (values - self.mean) / self.std * present
        return torch.cat([z, present], dim=-1)
