"""The modality-attention merger of the Rakuten attribute-extraction model (paper 003, Section 4, Eq. 2-5).

Per modality, its vector x_m (003: the sum of the token representations) is LayerNorm-ed (one LayerNorm per modality,
"Feature Normalization"). One linear layer over the concatenation scores the modalities:

    two modalities:  p_1 = sigmoid(W [x_1, x_2] + b),  p_2 = 1 - p_1             (Eq. 2)
    M > 2:           p   = softmax(W [x_1, ..., x_M] + b)                          (the generalisation 003 states)
    merged           =  [p_1 * x_1, ..., p_M * x_M]                                (Eq. 3)
    KL(p || q)       =  sum_m p_m log p_m + log K,  q uniform over the K modalities   (Eq. 5)

A missing modality is represented by zeros and gets weight exactly 0 (the softmax runs over the present ones; the
two-modality sigmoid is written as softmax([z, 0]), which is the same function); the KL term is then taken against
the uniform distribution over the K present modalities (0 when only one is present).
"""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import nn

from dm2s2_allennlp.modules.similarity import masked_softmax


class ModalityAttentionMerger(nn.Module):
    def __init__(self, num_modalities: int, dim: int) -> None:
        super().__init__()
        self.num_modalities = num_modalities
        # one LayerNorm per modality, as one operation (gain and bias per modality)
        self.norm_weight = nn.Parameter(torch.ones(num_modalities, dim))
        self.norm_bias = nn.Parameter(torch.zeros(num_modalities, dim))
        self.scorer = nn.Linear(num_modalities * dim, 1 if num_modalities == 2 else num_modalities)

    def normalise(self, vectors: torch.Tensor) -> torch.Tensor:
        """LayerNorm of modality m's vector with modality m's gain and bias, for all m at once."""
        return F.layer_norm(vectors, vectors.shape[-1:]) * self.norm_weight + self.norm_bias

    def forward(self, vectors: torch.Tensor, present: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``vectors`` ``(batch, M, d)``, ``present`` ``(batch, M)`` -> merged ``(batch, M * d)``, weights p
        ``(batch, M)`` and KL(p || uniform) ``(batch,)``."""
        normed = self.normalise(vectors) * present.unsqueeze(-1).to(vectors.dtype)
        logits = self.scorer(normed.flatten(1))
        if self.num_modalities == 2:
            logits = torch.cat([logits, torch.zeros_like(logits)], dim=-1)  # softmax([z, 0]) = [s(z), 1 - s(z)]
        weights = masked_softmax(logits, present, dim=-1)
        merged = (weights.unsqueeze(-1) * normed).flatten(1)
        count = present.sum(-1)
        plogp = torch.where(present, weights * weights.clamp_min(1e-12).log(), torch.zeros_like(weights))
        kl = torch.where(count > 0, plogp.sum(-1) + count.clamp_min(1).to(weights.dtype).log(),
                         torch.zeros_like(weights[:, 0]))
        return merged, weights, kl
