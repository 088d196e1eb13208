"""InterMRA: inter-modality residual attention (DM2S2 Section III-C3, Eq. 12-15).

    H'_m = sum_t H(m)_Intra,t                                 (Eq. 12, one vector per modality)
    a(m)_Inter = softmax_m( S(H'_m; W', q') )                 (Eq. 13, one W', q' shared by all modalities)
    H(m)_Inter,t = a(m)_Inter H(m)_Intra,t + H(m)_Intra,t     (Eq. 14, residual; ``residual=False`` drops "+ H")

Missing modalities (``missing_scores``):
  * ``masked`` (default): a modality with no tokens in a sample has no H'_m; it is left out of the softmax, so the
    weights of the modalities that are present sum to 1 and a missing one gets exactly 0. A sample with every
    modality missing gets all-zero weights (and no tokens to weight), never NaN.
  * ``literal``: Eq. 12-13 read as printed. A missing modality is the empty sequence (Eq. 2), so its H'_m is the
    empty sum, the zero vector; its score S(0; W', q') (``q'^T tanh(0) = 0`` for the additive similarity) stays in the
    softmax over all M modalities. Its weight is then > 0 but multiplies no token, so the present modalities' weights
    sum to less than 1: a record with missing modalities gets its present ones down-weighted.
"""
import math

import torch
from torch import nn

from dm2s2_allennlp.modules.modality_membership import modality_membership
from dm2s2_allennlp.modules.similarity import check_similarity, masked_softmax, similarity


MISSING_SCORES = ("masked", "literal")


def check_missing_scores(name: str) -> str:
    if name not in MISSING_SCORES:
        raise ValueError(f"missing_modality_scores must be one of {MISSING_SCORES}, got {name!r}")
    return name


class InterModalityResidualAttention(nn.Module):
    def __init__(self, num_modalities: int, dim: int, similarity: str = "additive", residual: bool = True,
                 missing_scores: str = "masked") -> None:
        super().__init__()
        self.missing_scores = check_missing_scores(missing_scores)
        self.num_modalities = num_modalities
        self.similarity = check_similarity(similarity)
        self.residual = residual
        self.weight = nn.Parameter(torch.empty(dim, dim))
        self.query = nn.Parameter(torch.empty(dim))
        nn.init.xavier_uniform_(self.weight)
        bound = 1.0 / math.sqrt(dim)
        nn.init.uniform_(self.query, -bound, bound)

    def forward(self, hidden: torch.Tensor, modality_ids: torch.Tensor):
        """Returns ``(H_Inter (batch, N, d), a_Inter (batch, M))``."""
        member = modality_membership(modality_ids, self.num_modalities)  # (batch, M, N)
        summed = member.to(hidden.dtype) @ hidden  # Eq. 12: (batch, M, d)
        present = member.any(dim=-1)  # (batch, M)
        scores = similarity(summed, self.weight, self.query, self.similarity)
        if self.missing_scores == "literal":  # Eq. 13 over all M modalities (a missing one: H'_m = 0)
            weights = torch.softmax(scores, dim=-1)
        else:
            weights = masked_softmax(scores, present, dim=-1)  # Eq. 13 over the present modalities
        per_token = (weights.unsqueeze(-1) * member.to(weights.dtype)).sum(dim=1)  # a_Inter of each token's modality
        attended = per_token.unsqueeze(-1) * hidden
        out = attended + hidden if self.residual else attended
        is_token = (modality_ids >= 0).unsqueeze(-1)
        return out * is_token.to(out.dtype), weights
