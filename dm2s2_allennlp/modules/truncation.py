"""Fair truncation of the unified sequence (Eq. 2) into the encoder's length budget.

DM2S2 feeds one sequence ``[CLS] x(1) [SEP] ... x(M) [SEP]`` to the encoder, so ``L + M + 1 <= max_length`` must
hold (Eq. 2: L modality tokens, M separators, one CLS). When it does not, we trim **the currently longest modality
first**, one token at a time, always from its end (the head of every modality is kept: the start of a plot, the most
confident image labels). Among equally long modalities the *later* one in the fixed modality order is trimmed first.

Trimming longest-first is water-filling: every modality keeps ``min(l_m, c)`` tokens for the largest cap ``c`` that
fits, and the ``r`` tokens still free go, one each, to the earliest modalities that were cut at ``c``. Short
modalities (a face count, a rating) are therefore never touched while a long one (a plot) can give way.
"""
from typing import List, Sequence

import torch


def fair_lengths(lengths: Sequence[int], budget: int) -> List[int]:
    """Lengths after longest-first trimming so that ``sum(result) <= budget`` (pure-Python reference)."""
    lengths = [int(n) for n in lengths]
    if budget < 0:
        raise ValueError(f"budget must be >= 0, got {budget}")
    if sum(lengths) <= budget:
        return lengths
    return fair_lengths_tensor(torch.tensor([lengths]), budget)[0].tolist()


def fair_lengths_tensor(lengths: torch.Tensor, budget: int) -> torch.Tensor:
    """Batched :func:`fair_lengths`: ``lengths`` is ``(batch, M)`` of non-negative ints; returns the same shape.

    Rows that already fit are returned unchanged.
    """
    if lengths.dim() != 2:
        raise ValueError(f"lengths must be (batch, num_modalities), got shape {tuple(lengths.shape)}")
    lengths = lengths.long()
    if lengths.numel() == 0:
        return lengths
    max_len = int(lengths.max())
    # used[b, c] = sum_m min(l[b, m], c) for every cap c in 0..max_len
    caps = torch.arange(max_len + 1, device=lengths.device)
    used = torch.minimum(lengths.unsqueeze(-1), caps).sum(dim=1)  # (batch, max_len + 1)
    # the largest cap whose total still fits (used is non-decreasing in c, and used[:, 0] == 0 <= budget)
    cap = (used <= budget).long().sum(dim=1) - 1  # (batch,)
    kept = torch.minimum(lengths, cap.unsqueeze(-1))
    remainder = budget - kept.sum(dim=1)  # tokens still free, < number of modalities cut at `cap`
    cut = lengths > cap.unsqueeze(-1)
    # the first `remainder` cut modalities (in modality order) keep one more token
    rank_among_cut = torch.cumsum(cut.long(), dim=1)
    bonus = cut & (rank_among_cut <= remainder.unsqueeze(-1))
    result = kept + bonus.long()
    fits = lengths.sum(dim=1) <= budget
    return torch.where(fits.unsqueeze(-1), lengths, result)
