"""``MultimodalEncoder``: the part of a model that turns the reader's per-modality token ids into hidden states.

The readers emit one token sequence per modality (``(batch, M, T)`` ids and mask). Two layouts are offered, each
planned on the CPU from one host copy of the ids (``modules.unified_sequence``), and a model picks the one its paper
uses:

  * ``unify``: DM2S2's unified sequence ``[CLS] x(1) [SEP] ... x(M) [SEP]`` (Eq. 2), fitted into ``max_length`` by
    trimming the currently longest modality first (``modules.truncation``);
  * ``modality_sequences``: every modality on its own as ``[CLS] x(m) [SEP]`` (the mid-fusion baselines, which pool
    each one's states themselves: ``models.per_modality``).

``encode`` gives a layout's hidden states ``(batch, N, d)``. Implementations: ``pretrained_transformer`` (the
default; runs the transformer) and ``cached`` (wraps one and caches its frozen part's states).
"""
import torch
from allennlp.common import Registrable
from allennlp.common.checks import ConfigurationError

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
