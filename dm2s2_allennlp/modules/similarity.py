"""The similarity function S of the MRA alignment function (Eq. 7-8).

``additive`` (the paper's choice, Eq. 8):        S(H_t; W, q) = q^T tanh(W H_t)
``scaled_dot_product`` (Table 5's alternative):  S(H_t; W, q) = q^T (W H_t) / sqrt(d)
    i.e. the learned query q against the key W H_t, scaled as in Vaswani et al.

``hidden`` holds row vectors, so ``W H_t`` is ``hidden @ W.T``.
"""
import math

import torch

SIMILARITIES = ("additive", "scaled_dot_product")


def check_similarity(name: str) -> str:
    if name not in SIMILARITIES:
        raise ValueError(f"similarity must be one of {SIMILARITIES}, got {name!r}")
    return name


def similarity(hidden: torch.Tensor, weight: torch.Tensor, query: torch.Tensor, kind: str) -> torch.Tensor:
    """Scores ``(...,)`` for ``hidden`` ``(..., d)``, ``weight`` ``(d, d)`` and ``query`` ``(d,)``."""
    projected = hidden @ weight.t()
    if kind == "additive":
        return torch.tanh(projected) @ query
    if kind == "scaled_dot_product":
        return (projected @ query) / math.sqrt(hidden.size(-1))
    raise ValueError(f"unknown similarity {kind!r}")


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    """Softmax over ``dim`` restricted to ``mask``; entries outside the mask are exactly 0, and a slice with nothing
    in the mask gives all zeros (never NaN). Kept instead of ``allennlp.nn.util.masked_softmax``, which differs at the
    edges (tests/modules/test_mra.py): by default it zeroes the masked scores before the softmax, so present scores far
    below 0 underflow to all-zero weights; ``memory_efficient=True`` gives an empty slice uniform weights."""
    filled = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    return torch.softmax(filled, dim=dim) * mask.to(scores.dtype)
