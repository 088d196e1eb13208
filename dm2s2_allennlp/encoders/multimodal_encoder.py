"""``MultimodalEncoder``: the part of a model that turns the reader's per-modality token ids into hidden states.

The readers emit one token sequence per modality (``(batch, M, T)`` ids and mask). Two encodings are offered, and a
model picks the one its paper uses:

  * ``unify`` + ``encode``: DM2S2's unified sequence ``[CLS] x(1) [SEP] ... x(M) [SEP]`` (Eq. 2), fitted into
    ``max_length`` by trimming the currently longest modality first (``modules.truncation``), planned on the CPU
    (``modules.unified_sequence``), and its hidden states ``(batch, N, d)``;
  * ``encode_each_modality`` / ``modality_vectors``: every modality encoded ON ITS OWN as ``[CLS] x(m) [SEP]`` (the
    mid-fusion baselines), and one pooled vector per modality.

Implementations (``pretrained_transformer``, the default) provide the special token ids, ``output_dim``,
``max_length`` and ``encode``; what is built on them lives here.
"""
from typing import Tuple

import torch
from allennlp.common import Registrable
from allennlp.common.checks import ConfigurationError

from dm2s2_allennlp.modules.token_pooling import pool_tokens
from dm2s2_allennlp.modules.truncation import fair_lengths_tensor
from dm2s2_allennlp.modules.unified_sequence import UnifiedSequence, build_unified_sequence


class MultimodalEncoder(Registrable, torch.nn.Module):
    default_implementation = "pretrained_transformer"
    cls_id: int
    sep_id: int
    pad_id: int
    max_length: int

    def get_output_dim(self) -> int:
        raise NotImplementedError

    def encode(self, unified: UnifiedSequence, added_embeddings: torch.Tensor = None,
               all_positions: bool = False) -> torch.Tensor:
        """Hidden states ``(batch, N, d)`` of a unified sequence: at its modality tokens (elsewhere they may be zeros),
        or at every position with ``all_positions``. ``added_embeddings`` ``(batch, N, d)``, if given, are added to the
        word embeddings at the input."""
        raise NotImplementedError

    def flush(self) -> None:
        """Wait for pending cache writes (nothing to do without a cache)."""

    def check_modalities(self, num_modalities: int) -> None:
        if self.max_length < num_modalities + 1:
            raise ConfigurationError(f"max_length={self.max_length} cannot hold the specials of {num_modalities} "
                                     "modalities")

    # -- the unified sequence (Eq. 2) -----------------------------------------------------------------------------
    def unify(self, token_ids: torch.Tensor, mask: torch.Tensor) -> UnifiedSequence:
        """Eq. 2's layout of ``(batch, M, T)`` ids, planned on the CPU from one host copy of the ids (see
        ``UnifiedSequence``) and moved to the ids' device."""
        host_ids, host_mask = token_ids.cpu(), mask.cpu()
        budget = self.max_length - (token_ids.size(1) + 1)
        lengths = fair_lengths_tensor(host_mask.sum(-1), budget)
        host = build_unified_sequence(host_ids, lengths, self.cls_id, self.sep_id, self.pad_id)
        return host.to(token_ids.device)

    # -- every modality on its own (the mid-fusion baselines) ------------------------------------------------------
    def modality_sequences(self, token_ids: torch.Tensor, mask: torch.Tensor):
        """``[CLS] x(m) [SEP]`` of every present modality (at most ``max_length - 2`` tokens each), planned on the host:
        the sequences, which flat (batch * M) rows they are, and every row's length."""
        host_ids = token_ids.cpu()
        batch_size, num_modalities, _ = token_ids.shape
        lengths = mask.cpu().sum(-1).clamp_max(self.max_length - 2).reshape(-1)
        present = (lengths > 0).nonzero().squeeze(1)
        if not present.numel():
            return None, present, lengths
        flat = host_ids.reshape(batch_size * num_modalities, 1, -1)[present]
        sequences = build_unified_sequence(flat, lengths[present].view(-1, 1), self.cls_id, self.sep_id, self.pad_id)
        return sequences.to(token_ids.device), present, lengths

    def modality_cls_vectors(self, token_ids: torch.Tensor, mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        batch_size, num_modalities, _ = token_ids.shape
        sequences, present, lengths = self.modality_sequences(token_ids, mask)
        device = sequences.device if sequences is not None else token_ids.device
        vectors = torch.zeros(batch_size * num_modalities, self.get_output_dim(), device=device)
        if sequences is not None:
            hidden = self.encode(sequences, all_positions=True)
            vectors[present.to(device, non_blocking=True)] = hidden[:, 0]
        present_mask = (lengths > 0).view(batch_size, num_modalities).to(device, non_blocking=True)
        return vectors.view(batch_size, num_modalities, -1), present_mask

    def encode_each_modality(self, token_ids: torch.Tensor, mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Token states of every modality encoded ON ITS OWN, as ``[CLS] x(m) [SEP]``. Returns ``(batch, M, T, d)``
        states (zeros at padding) and the ``(batch, M, T)`` token mask. A modality keeps at most ``max_length - 2``
        tokens; missing modalities are not run through the encoder."""
        batch_size, num_modalities, _ = token_ids.shape
        dim = self.get_output_dim()
        sequences, present, lengths = self.modality_sequences(token_ids, mask)  # planned on the host, as in `unify`
        device = sequences.device if sequences is not None else token_ids.device
        width = int(lengths.max()) if lengths.numel() else 0
        states = torch.zeros(batch_size * num_modalities, width, dim, device=device)
        if sequences is not None:
            hidden = self.encode(sequences)  # (present, 1 + len + 1, d)
            kept = sequences.modality_ids[:, 1:1 + width] >= 0
            rows = present.to(device, non_blocking=True)
            states[rows, : kept.size(1)] = hidden[:, 1:1 + width] * kept.unsqueeze(-1)
        token_mask = torch.arange(width).view(1, -1) < lengths.view(-1, 1)
        return (states.view(batch_size, num_modalities, width, dim),
                token_mask.to(device, non_blocking=True).view(batch_size, num_modalities, width))

    def modality_vectors(self, token_ids: torch.Tensor, mask: torch.Tensor,
                         pooling: str = "mean") -> Tuple[torch.Tensor, torch.Tensor]:
        """One vector per modality, ``(batch, M, d)``, pooled (``mean`` | ``sum`` | ``max``) over the modality's own
        token states (``encode_each_modality``), or its own sequence's [CLS] state (``cls``: BERT's "first output of
        the final layer", as Deep Multi-Modal Sets takes it), and the ``(batch, M)`` mask of present modalities. A
        missing modality's vector is zeros. ``mean`` is how all-MiniLM-L6-v2 makes its sentence embeddings."""
        if pooling == "cls":
            return self.modality_cls_vectors(token_ids, mask)
        states, token_mask = self.encode_each_modality(token_ids, mask)
        batch_size, num_modalities, width, dim = states.shape
        flat = batch_size * num_modalities
        vectors = pool_tokens(states.reshape(flat, width, dim), token_mask.reshape(flat, width), pooling)
        return vectors.view(batch_size, num_modalities, dim), token_mask.any(-1)
