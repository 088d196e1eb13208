"""Token pooling: DM2S2's psi over the L modality tokens of the unified sequence (Eq. 5), also how the mid-fusion
baselines pool one modality's token states to one vector; [CLS], [SEP] and padding are excluded. (Deep Multi-Modal
Sets' pooling over the SET of modality vectors is ``set_pooling``.)

``mean`` (the paper's):  h = 1/L sum_i H_Inter,i
``sum``:                 h = sum_i H_Inter,i
``max``:                 h = max_i H_Inter,i (element-wise)
A sample with no modality tokens at all (L = 0) pools to the zero vector.
"""
import torch

POOLINGS = ("mean", "max", "sum")


def check_pooling(name: str) -> str:
    if name not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {name!r}")
    return name


def pool_tokens(hidden: torch.Tensor, token_mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """``hidden`` ``(batch, N, d)``, ``token_mask`` ``(batch, N)`` bool -> ``(batch, d)``."""
    mask = token_mask.unsqueeze(-1)
    if pooling == "max":
        filled = hidden.masked_fill(~mask, torch.finfo(hidden.dtype).min)
        pooled = filled.max(dim=1).values if hidden.size(1) else hidden.new_zeros(hidden.size(0), hidden.size(-1))
        return torch.where(token_mask.any(dim=1, keepdim=True), pooled, torch.zeros_like(pooled))
    summed = (hidden * mask.to(hidden.dtype)).sum(dim=1)
    if pooling == "sum":
        return summed
    if pooling == "mean":
        count = token_mask.sum(dim=1, keepdim=True).clamp_min(1).to(hidden.dtype)
        return summed / count
    raise ValueError(f"unknown pooling {pooling!r}")
