"""IntraMRA: intra-modality residual attention (DM2S2 Section III-C2, Eq. 7-11).

For every modality m with its own W(m) in R^{d x d} and q(m) in R^d:

    a(m)_Intra,t = softmax_t( S(H(m)_t; W(m), q(m)) )        (Eq. 7, 9; softmax over modality m's own tokens)
    H(m)_Intra,t = a(m)_Intra,t H(m)_t + H(m)_t               (Eq. 10, residual F(H) + H)

With ``residual=False`` (Table 6's "without") the output is ``a H`` alone.

Works on the packed unified sequence: ``hidden`` ``(batch, N, d)`` and ``modality_ids`` ``(batch, N)`` (-1 for CLS,
SEP and padding). Scores are computed only for real tokens, each with its own modality's parameters, so the cost is
(number of tokens) x d^2, independent of how unevenly long the modalities are. Positions outside every modality come
out as zeros with weight 0. A modality with no tokens (missing) simply has no weights.

``modality_index`` (optional): the flat positions of each modality's tokens, as ``UnifiedSequence.modality_index()``
gives them from the host copy of the layout; without it they are found on the device (one host read per modality).
"""
import math
from typing import List, Optional

import torch
from torch import nn

from dm2s2_allennlp.modules.modality_membership import modality_membership
from dm2s2_allennlp.modules.similarity import check_similarity, masked_softmax, similarity


class IntraModalityResidualAttention(nn.Module):
    def __init__(self, num_modalities: int, dim: int, similarity: str = "additive", residual: bool = True) -> None:
        super().__init__()
        self.num_modalities = num_modalities
        self.similarity = check_similarity(similarity)
        self.residual = residual
        self.weight = nn.Parameter(torch.empty(num_modalities, dim, dim))
        self.query = nn.Parameter(torch.empty(num_modalities, dim))
        for m in range(num_modalities):
            nn.init.xavier_uniform_(self.weight.data[m])
        bound = 1.0 / math.sqrt(dim)
        nn.init.uniform_(self.query, -bound, bound)

    def scores(self, hidden: torch.Tensor, modality_ids: torch.Tensor,
               modality_index: Optional[List[torch.Tensor]] = None) -> torch.Tensor:
        """S(H_t; W(m_t), q(m_t)) for every token, 0 elsewhere: ``(batch, N)``."""
        flat_hidden = hidden.reshape(-1, hidden.size(-1))
        flat_ids = modality_ids.reshape(-1)
        scores = flat_hidden.new_zeros(flat_ids.shape)
        # one unbind, not M selects: each select's backward writes a full (M, d, d) gradient, unbind's writes one
        weights, queries = self.weight.unbind(0), self.query.unbind(0)
        for m in range(self.num_modalities):
            index = (flat_ids == m).nonzero(as_tuple=True)[0] if modality_index is None else modality_index[m]
            if index.numel():
                scores = scores.index_put((index,), similarity(flat_hidden[index], weights[m], queries[m],
                                                               self.similarity))
        return scores.view(modality_ids.shape)

    def forward(self, hidden: torch.Tensor, modality_ids: torch.Tensor,
                modality_index: Optional[List[torch.Tensor]] = None):
        """Returns ``(H_Intra (batch, N, d), a_Intra (batch, N))``."""
        member = modality_membership(modality_ids, self.num_modalities)  # (batch, M, N)
        scores = self.scores(hidden, modality_ids, modality_index)
        weights = masked_softmax(scores.unsqueeze(1).expand_as(member), member, dim=-1).sum(dim=1)
        attended = weights.unsqueeze(-1) * hidden
        out = attended + hidden if self.residual else attended
        is_token = (modality_ids >= 0).unsqueeze(-1)
        return out * is_token.to(out.dtype), weights
