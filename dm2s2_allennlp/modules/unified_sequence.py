"""Packing per-modality token ids into DM2S2's unified sequence (Eq. 2) without padding waste.

The readers emit one token sequence per modality (a ``ListField`` of ``TextField``s, so a batch arrives as
``(batch, M, T)`` padded to the longest modality in the batch). The encoder must instead see, per sample,

    [CLS] x(1)_1 .. x(1)_l1 [SEP] x(2)_1 .. [SEP] ... x(M)_1 .. x(M)_lM [SEP]

with each modality at its true length, so a sample costs ``L + M + 1`` positions, not ``M * T + M + 1``; the batch is
padded only to its longest *unified* sequence. Alongside the ids we return ``modality_ids`` (``m`` for a token of
modality ``m``, ``-1`` for CLS, SEP and padding), which is all IntraMRA, InterMRA and pooling need, and the scatter
positions to map per-token outputs back to the ``(batch, M, T)`` layout of the input.

On a GPU the layout is planned on the CPU (``build_unified_sequence`` on the ids copied to the host once, then
``to(device)``): the batch's shape and index lists depend on the data, and computing them on the device would make the
host wait for the GPU several times per batch. The host copy stays attached (``on_host()``), and the index lists the
later steps need (``token_index``, ``modality_index``) are derived from it, so nothing after the planning reads
back from the GPU.
"""
from dataclasses import dataclass, field, fields
from typing import Dict, List, Optional, Tuple

import torch

from dm2s2_allennlp.modules.packed_layers import packing_index


@dataclass
class UnifiedSequence:
    input_ids: torch.Tensor  # (batch, N) long
    attention_mask: torch.Tensor  # (batch, N) bool
    modality_ids: torch.Tensor  # (batch, N) long, -1 outside modality tokens
    positions: torch.Tensor  # (batch, M, T) long: where token (b, m, t) sits in the unified sequence
    kept: torch.Tensor  # (batch, M, T) bool: token (b, m, t) is in the unified sequence (not padding, not trimmed)
    host: Optional["UnifiedSequence"] = field(default=None, repr=False, compare=False)
    _derived: Dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @property
    def device(self) -> torch.device:
        return self.input_ids.device

    def to(self, device: torch.device) -> "UnifiedSequence":
        """This layout on ``device``, remembering the host copy it came from; the copies do not wait for the GPU."""
        if self.device == torch.device(device):
            return self
        tensors = {f.name: getattr(self, f.name).to(device, non_blocking=True)
                   for f in fields(self) if f.name not in ("host", "_derived")}
        return UnifiedSequence(**tensors, host=self if self.device.type == "cpu" else self.host)

    def on_host(self) -> "UnifiedSequence":
        """The CPU copy of this layout (itself on the CPU; copied back, once, if it was built on the device)."""
        if self.device.type == "cpu":
            return self
        if self.host is None:
            self.host = self.to(torch.device("cpu"))
        return self.host

    def _on_device(self, name: str, compute) -> object:
        """``compute(host layout)`` (index tensors, lists of them), once, moved to this layout's device."""
        if name not in self._derived:
            value = compute(self.on_host())
            move = (lambda t: t.to(self.device, non_blocking=True))
            self._derived[name] = [move(v) for v in value] if isinstance(value, list) else move(value)
        return self._derived[name]

    def token_index(self) -> torch.Tensor:
        """Flat indices into ``(batch * N)`` of the modality tokens, sample by sample, in sequence order."""
        return self._on_device("token_index",
                               lambda host: (host.modality_ids.reshape(-1) >= 0).nonzero().squeeze(1))

    def packing_index(self) -> Tuple[torch.Tensor, int]:
        """The rows a packed transformer layer runs on (``modules.packed_layers.packing_index``: the real positions,
        then padding up to a round number of rows) and how many are real, planned on the host."""
        if "packing_count" not in self._derived:
            rows, self._derived["packing_count"] = packing_index(self.on_host().attention_mask)
            self._derived["packing_rows"] = rows.to(self.device, non_blocking=True)
        return self._derived["packing_rows"], self._derived["packing_count"]

    def modality_index(self) -> List[torch.Tensor]:
        """For every modality ``m``, the flat indices into ``(batch * N)`` of its tokens."""
        num_modalities = self.positions.size(1)
        return self._on_device("modality_index", lambda host: [
            (host.modality_ids.reshape(-1) == m).nonzero().squeeze(1) for m in range(num_modalities)])

    def tokens_per_sample(self) -> List[int]:
        """How many modality tokens each sample has (a host-side list)."""
        if "tokens_per_sample" not in self._derived:
            self._derived["tokens_per_sample"] = (self.on_host().modality_ids >= 0).sum(1).tolist()
        return self._derived["tokens_per_sample"]

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
        batch_size = values.size(0)
        index = self.positions.reshape(batch_size, -1).clamp(0, values.size(1) - 1)
        gathered = values.gather(1, index).view(self.positions.shape)
        return torch.where(self.kept, gathered, torch.zeros_like(gathered))


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
