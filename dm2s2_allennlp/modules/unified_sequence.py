"""Packing per-modality token ids into DM2S2's unified sequence (Eq. 2) without padding waste.

The readers emit one token sequence per modality (a ``ListField`` of ``TextField``s, so a batch arrives as
``(batch, M, T)`` padded to the longest modality in the batch). The encoder must instead see, per sample,

    [CLS] x(1)_1 .. x(1)_l1 [SEP] x(2)_1 .. [SEP] ... x(M)_1 .. x(M)_lM [SEP]

with each modality at its true length, so a sample costs ``L + M + 1`` positions, not ``M * T + M + 1``; the batch is
padded only to its longest *unified* sequence. Alongside the ids we return ``modality_ids`` (``m`` for a token of
modality ``m``, ``-1`` for CLS, SEP and padding), which is all IntraMRA, InterMRA and pooling need, and the scatter
positions to map per-token outputs back to the ``(batch, M, T)`` layout of the input.
"""
from dataclasses import dataclass

import torch


@dataclass
class UnifiedSequence:
    input_ids: torch.Tensor  # (batch, N) long
    attention_mask: torch.Tensor  # (batch, N) bool
    modality_ids: torch.Tensor  # (batch, N) long, -1 outside modality tokens
    positions: torch.Tensor  # (batch, M, T) long: where token (b, m, t) sits in the unified sequence
    kept: torch.Tensor  # (batch, M, T) bool: token (b, m, t) is in the unified sequence (not padding, not trimmed)

    def segment_ids(self) -> torch.Tensor:
        """``(batch, N)`` segment (token type) ids: 0 for [CLS] and padding, ``m + 1`` for the tokens of modality
        ``m`` and the [SEP] that closes it (as BERT gives a pair's second [SEP] the second segment's type)."""
        positions = torch.arange(self.input_ids.size(1), device=self.input_ids.device).view(1, -1)
        inside = self.attention_mask.bool() & (positions > 0)
        is_sep = inside & (self.modality_ids < 0)
        seps_before = torch.cumsum(is_sep.long(), dim=1) - is_sep.long()
        return torch.where(inside, seps_before + 1, torch.zeros_like(seps_before))

    def scatter_back(self, values: torch.Tensor) -> torch.Tensor:
        """Map per-position values ``(batch, N)`` back to ``(batch, M, T)``; zero where a token was not kept."""
        batch = torch.arange(values.size(0), device=values.device).view(-1, 1, 1).expand_as(self.positions)
        out = values.new_zeros(self.positions.shape)
        out[self.kept] = values[batch[self.kept], self.positions[self.kept]]
        return out


def build_unified_sequence(
    token_ids: torch.Tensor, lengths: torch.Tensor, cls_id: int, sep_id: int, pad_id: int
) -> UnifiedSequence:
    """Eq. 2 for a batch.

    ``token_ids``: ``(batch, M, T)`` per-modality ids without special tokens, left-aligned; ``lengths``: ``(batch, M)``
    how many of them to keep (already fitted into the length budget, see ``truncation.fair_lengths_tensor``).
    """
    batch_size, num_modalities, max_tokens = token_ids.shape
    device = token_ids.device
    lengths = lengths.long()
    segment = lengths + 1  # the modality's tokens and its [SEP]
    offsets = 1 + torch.cumsum(segment, dim=1) - segment  # first position of modality m (after [CLS])
    totals = 1 + segment.sum(dim=1)
    width = int(totals.max()) if batch_size > 0 else 1

    steps = torch.arange(max_tokens, device=device)
    kept = steps.view(1, 1, -1) < lengths.unsqueeze(-1)  # (batch, M, T)
    positions = offsets.unsqueeze(-1) + steps.view(1, 1, -1)
    rows = torch.arange(batch_size, device=device)

    input_ids = torch.full((batch_size, width), pad_id, dtype=torch.long, device=device)
    modality_ids = torch.full((batch_size, width), -1, dtype=torch.long, device=device)
    input_ids[:, 0] = cls_id
    batch_index = rows.view(-1, 1, 1).expand_as(positions)
    modality_index = torch.arange(num_modalities, device=device).view(1, -1, 1).expand_as(positions)
    input_ids[batch_index[kept], positions[kept]] = token_ids[kept].long()
    modality_ids[batch_index[kept], positions[kept]] = modality_index[kept]
    input_ids[rows.view(-1, 1).expand_as(lengths), offsets + lengths] = sep_id
    attention_mask = torch.arange(width, device=device).view(1, -1) < totals.view(-1, 1)
    return UnifiedSequence(input_ids, attention_mask, modality_ids, positions, kept)
