"""The permutation-invariant set pooling psi of Deep Multi-Modal Sets (paper 001, Eq. 1-2) over the set of modality
embeddings phi_i(X_i), and its max-pool feature importance (Section 3.3.1, Fig. 1).

    psi_sum(X)  = sum_i phi(x_i)            (Eq. 1)
    psi_max(X)  = max_i phi(x_i)            (Eq. 2, element-wise)
    psi_min(X)  = min_i phi(x_i)            (element-wise)
    psi_mean(X) = 1/|X| sum_i phi(x_i)

A missing modality is simply not in the set (001 Section 3.3: "we do not force a place-holder"); a record whose set
is empty pools to zeros. With ``max`` (and ``min``), every one of the D output dimensions is taken from one element;
``importance`` counts, per record, how many dimensions each modality wins (the argmax of Fig. 1).
"""
from typing import Optional, Tuple

import torch

SET_POOLINGS = ("max", "sum", "min", "mean")


def check_set_pooling(name: str) -> str:
    if name not in SET_POOLINGS:
        raise ValueError(f"set_pooling must be one of {SET_POOLINGS}, got {name!r}")
    return name


def set_pool(elements: torch.Tensor, present: torch.Tensor,
             pooling: str) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """``elements`` ``(batch, M, D)``, ``present`` ``(batch, M)`` bool -> pooled ``(batch, D)`` and, for ``max`` /
    ``min``, the winning element of every dimension ``(batch, D)`` (-1 for an empty set); ``None`` otherwise."""
    mask = present.unsqueeze(-1)
    nonempty = present.any(dim=1, keepdim=True)
    if pooling in ("max", "min"):
        sign = 1.0 if pooling == "max" else -1.0
        filled = (sign * elements).masked_fill(~mask, torch.finfo(elements.dtype).min)
        values, winners = filled.max(dim=1)
        pooled = torch.where(nonempty, sign * values, torch.zeros_like(values))
        return pooled, torch.where(nonempty, winners, torch.full_like(winners, -1))
    summed = (elements * mask.to(elements.dtype)).sum(dim=1)
    if pooling == "sum":
        return summed, None
    if pooling == "mean":
        return summed / present.sum(dim=1, keepdim=True).clamp_min(1).to(elements.dtype), None
    raise ValueError(f"unknown set pooling {pooling!r}")


def modality_importance(winners: torch.Tensor, num_modalities: int) -> torch.Tensor:
    """``(batch, D)`` winners -> ``(batch, M)``: how many of the D dimensions each modality supplied."""
    counts = torch.zeros(winners.size(0), num_modalities + 1, dtype=torch.long, device=winners.device)
    counts.scatter_add_(1, winners + 1, torch.ones_like(winners))  # column 0 collects the -1s of empty sets
    return counts[:, 1:]
