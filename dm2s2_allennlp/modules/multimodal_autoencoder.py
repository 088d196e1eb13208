"""The two branches of the multi-task multimodal model of paper 004 (PetFinder adoption), over per-modality vectors.

Multimodal autoencoder (Section 3.1): per modality an encoder f_m to a code of length k, the joint code the
concatenation of all of them, and per modality a decoder g_m that reconstructs that modality's input FROM THE JOINT
CODE (so every reconstruction can use every modality):

    h_m    = f_m(x_m)                                   (Eq. 1-3)
    h_mm   = [h_1; ...; h_M]                            (Eq. 5)
    x_hat_m = g_m(h_mm)                                 (Eq. 6)
    L_rec  = sum_m alpha_m MSE(x_hat_m, x_m)            (Eq. 7)

f_m is d -> hidden -> k and g_m is M k -> hidden -> d, ReLU between, so each modality's autoencoder has four fully
connected layers as in the paper (the code itself is linear). A missing modality is fed as zeros and left out of its
MSE term (its input is unknown, not zero).

Attention branch (Section 3.2): per modality one fully connected layer v_m = dropout(ReLU(V_m x_m)), a scalar score
e_m = tanh(v_m . mu) against a learned vector mu (Eq. 8), weights a = softmax(e) over the present modalities and
v_hat_m = a_m v_m (Eq. 9). The classifier reads [v_hat_1, ..., v_hat_M, h_mm] (Eq. 10-11).
"""
from typing import Sequence, Tuple

import torch
from torch import nn

from dm2s2_allennlp.modules.similarity import masked_softmax


class MultimodalAutoencoder(nn.Module):
    def __init__(self, num_modalities: int, dim: int, code_dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.encoders = nn.ModuleList([
            nn.Sequential(nn.Linear(dim, hidden_dim), nn.ReLU(), nn.Linear(hidden_dim, code_dim))
            for _ in range(num_modalities)
        ])
        self.decoders = nn.ModuleList([
            nn.Sequential(nn.Linear(num_modalities * code_dim, hidden_dim), nn.ReLU(), nn.Linear(hidden_dim, dim))
            for _ in range(num_modalities)
        ])
        self.code_dim = code_dim * num_modalities

    def forward(self, vectors: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(batch, M, d)`` -> joint code ``(batch, M * k)`` and reconstructions ``(batch, M, d)``."""
        code = torch.cat([f(vectors[:, m]) for m, f in enumerate(self.encoders)], dim=-1)
        return code, torch.stack([g(code) for g in self.decoders], dim=1)


def reconstruction_loss(vectors: torch.Tensor, reconstructions: torch.Tensor, present: torch.Tensor,
                        weights: torch.Tensor) -> torch.Tensor:
    """Eq. 7: ``sum_m weights[m] * MSE_m``, MSE_m the mean squared error over the records where modality m is
    present (0 where it is present in none)."""
    squared = ((reconstructions - vectors) ** 2).mean(-1)  # (batch, M)
    mask = present.to(squared.dtype)
    per_modality = (squared * mask).sum(0) / mask.sum(0).clamp_min(1)
    return (weights.to(squared.dtype) * per_modality).sum()


class ModalityScalarAttention(nn.Module):
    """Eq. 8-9 (module docstring)."""

    def __init__(self, num_modalities: int, dim: int, attention_dim: int, dropout: float) -> None:
        super().__init__()
        self.projections = nn.ModuleList([
            nn.Sequential(nn.Linear(dim, attention_dim), nn.ReLU(), nn.Dropout(dropout)) for _ in range(num_modalities)
        ])
        self.mu = nn.Parameter(torch.empty(attention_dim).uniform_(-0.1, 0.1))
        self.output_dim = num_modalities * attention_dim

    def forward(self, vectors: torch.Tensor, present: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(batch, M, d)`` -> ``[v_hat_1, ..., v_hat_M]`` ``(batch, M * attention_dim)``, weights ``(batch, M)``."""
        projected = torch.stack([v(vectors[:, m]) for m, v in enumerate(self.projections)], dim=1)
        scores = torch.tanh(projected @ self.mu)
        weights = masked_softmax(scores, present, dim=-1)
        return (weights.unsqueeze(-1) * projected).flatten(1), weights


def loss_weights(names: Sequence[str], given: dict) -> torch.Tensor:
    """alpha_m of Eq. 7 in modality order (1 for a modality not named; 004 found equal weights best)."""
    unknown = set(given) - set(names)
    if unknown:
        raise ValueError(f"reconstruction_weights names unknown modalities {sorted(unknown)}")
    return torch.tensor([float(given.get(name, 1.0)) for name in names])
