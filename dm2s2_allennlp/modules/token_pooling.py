"""Token pooling: DM2S2's psi over the L modality tokens of the unified sequence (Eq. 5), also how the mid-fusion
baselines pool one modality's token states to one vector; [CLS], [SEP] and padding are excluded. (Deep Multi-Modal
Sets' pooling over the SET of modality vectors is ``set_pooling``.)

``mean`` (the paper's):  h = 1/L sum_i H_Inter,i
``sum``:                 h = sum_i H_Inter,i
``max``:                 h = max_i H_Inter,i (element-wise)
A sample with no modality tokens at all (L = 0) pools to the zero vector.

Over the unified sequence only (``pool_unified``; the encoder-only baseline, DM2S2 with both MRAs off), ``cls``:
h = H_0, the first token's state ([CLS], RoBERTa's <s>): the other pooling the paper's "encoder only" baseline may have
used (it does not say which; Table 3).
"""
import torch
from allennlp.nn.util import masked_max, masked_mean

POOLINGS = ("mean", "max", "sum")


def check_pooling(name: str) -> str:
    if name not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {name!r}")
    return name


UNIFIED_POOLINGS = POOLINGS + ("cls",)


def check_unified_pooling(name: str) -> str:
    if name not in UNIFIED_POOLINGS:
        raise ValueError(f"pooling must be one of {UNIFIED_POOLINGS}, got {name!r}")
    return name


def pool_unified(hidden: torch.Tensor, token_mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """``pool_tokens`` over a unified sequence ``[CLS] m1 [SEP] ...``, or its first state (``cls``)."""
    return hidden[:, 0] if pooling == "cls" else pool_tokens(hidden, token_mask, pooling)


def pool_tokens(hidden: torch.Tensor, token_mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """``hidden`` ``(batch, N, d)``, ``token_mask`` ``(batch, N)`` bool -> ``(batch, d)``."""
    mask = token_mask.unsqueeze(-1)
    if pooling == "mean":
        return masked_mean(hidden, mask, dim=1)  # AllenNLP's: 0 for a sample without tokens, as Eq. 5 wants
    if pooling == "max":
        # AllenNLP's masked_max gives the dtype's minimum for a sample without tokens: Eq. 5's empty pool is 0
        pooled = masked_max(hidden, mask, dim=1) if hidden.size(1) else hidden.new_zeros(hidden.size(0), hidden.size(-1))
        return torch.where(token_mask.any(dim=1, keepdim=True), pooled, torch.zeros_like(pooled))
    if pooling == "sum":
        return (hidden * mask.to(hidden.dtype)).sum(dim=1)
    raise ValueError(f"unknown pooling {pooling!r}")
