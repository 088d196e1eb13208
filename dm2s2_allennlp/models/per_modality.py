"""What the mid-fusion baselines (DMMS, the modality-attention merger, MMAE, concat fusion) read: every modality
encoded ON ITS OWN as ``[CLS] x(m) [SEP]`` (the encoder's ``modality_sequences`` layout, at most ``max_length - 2``
tokens each; missing modalities are not run through the encoder) and pooled to one vector per modality -- the pooling
lives here, with the fusions that need it.

``modality_vectors(encoder, ids, mask, pooling)``: ``(batch, M, d)`` vectors and the ``(batch, M)`` mask of present
modalities; ``mean`` | ``sum`` | ``max`` over the modality's own token states (``modules.token_pooling``; ``mean`` is
how all-MiniLM-L6-v2 makes its sentence embeddings), or ``cls``: its own sequence's [CLS] state (BERT's "first
output of the final layer", as Deep Multi-Modal Sets takes it). A missing modality's vector is zeros.
"""
from typing import Tuple

import torch

from dm2s2_allennlp.encoders import MultimodalEncoder
from dm2s2_allennlp.modules.token_pooling import pool_tokens


def modality_cls_vectors(encoder: MultimodalEncoder, token_ids: torch.Tensor,
                         mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    batch_size, num_modalities, _ = token_ids.shape
    sequences, present, lengths = encoder.modality_sequences(token_ids, mask)
    device = sequences.device if sequences is not None else token_ids.device
    vectors = torch.zeros(batch_size * num_modalities, encoder.get_output_dim(), device=device)
    if sequences is not None:
        hidden = encoder.encode(sequences, all_positions=True)
        vectors[present.to(device, non_blocking=True)] = hidden[:, 0]
    present_mask = (lengths > 0).view(batch_size, num_modalities).to(device, non_blocking=True)
    return vectors.view(batch_size, num_modalities, -1), present_mask


def encode_each_modality(encoder: MultimodalEncoder, token_ids: torch.Tensor,
                         mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Token states of every modality encoded on its own: ``(batch, M, T, d)`` states (zeros at padding) and the
    ``(batch, M, T)`` token mask."""
    batch_size, num_modalities, _ = token_ids.shape
    dim = encoder.get_output_dim()
    sequences, present, lengths = encoder.modality_sequences(token_ids, mask)  # planned on the host
    device = sequences.device if sequences is not None else token_ids.device
    width = int(lengths.max()) if lengths.numel() else 0
    states = torch.zeros(batch_size * num_modalities, width, dim, device=device)
    if sequences is not None:
        hidden = encoder.encode(sequences)  # (present, 1 + len + 1, d)
        kept = sequences.modality_ids[:, 1:1 + width] >= 0
        rows = present.to(device, non_blocking=True)
        states[rows, : kept.size(1)] = hidden[:, 1:1 + width] * kept.unsqueeze(-1)
    token_mask = torch.arange(width).view(1, -1) < lengths.view(-1, 1)
    return (states.view(batch_size, num_modalities, width, dim),
            token_mask.to(device, non_blocking=True).view(batch_size, num_modalities, width))


def modality_vectors(encoder: MultimodalEncoder, token_ids: torch.Tensor, mask: torch.Tensor,
                     pooling: str = "mean") -> Tuple[torch.Tensor, torch.Tensor]:
    """One vector per modality and the mask of present modalities (module docstring)."""
    if pooling == "cls":
        return modality_cls_vectors(encoder, token_ids, mask)
    states, token_mask = encode_each_modality(encoder, token_ids, mask)
    batch_size, num_modalities, width, dim = states.shape
    flat = batch_size * num_modalities
    vectors = pool_tokens(states.reshape(flat, width, dim), token_mask.reshape(flat, width), pooling)
    return vectors.view(batch_size, num_modalities, dim), token_mask.any(-1)
