"""Class weights w_k of the class-weighted losses (DM2S2 Eq. 16 for multi-label, the same weights for single-label
classification), from the training count N_k of each class.

``inverse``: w_k = 1 / N_k (Eq. 16); ``inverse_sqrt``: w_k = 1 / sqrt(N_k) (DMMS's choice); ``none``: w_k = 1.
A class never seen in training counts as N_k = 1. The weights are rescaled to mean 1 over the classes, which keeps
Eq. 16's ratios and keeps the loss on the scale of an unweighted one.
"""
from typing import Optional

import torch

CLASS_WEIGHTINGS = ("inverse", "inverse_sqrt", "none")


def check_class_weighting(name: str) -> str:
    if name not in CLASS_WEIGHTINGS:
        raise ValueError(f"`class_weighting` must be one of {CLASS_WEIGHTINGS}, got {name!r}")
    return name


def class_weights(counts: torch.Tensor, weighting: str) -> torch.Tensor:
    """Weights for the per-class training counts ``counts`` (see the module docstring)."""
    check_class_weighting(weighting)
    if weighting == "none":
        return torch.ones_like(counts, dtype=torch.float32)
    n = counts.float().clamp_min(1.0)  # float32 throughout, as the first releases computed them
    raw = 1.0 / n if weighting == "inverse" else 1.0 / n.sqrt()
    return raw * (len(raw) / raw.sum())


def counts_from_mapping(names, given: Optional[dict]) -> Optional[torch.Tensor]:
    """``{label: N_k}`` given in a config, in vocabulary order (``None`` if not given)."""
    if not given:
        return None
    return torch.tensor([float(given.get(name, 0)) for name in names], dtype=torch.float64)
