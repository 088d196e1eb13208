"""``dm2s2``: Deep Multi-Modal Sequence Sets with hierarchical modality residual attention
(Kitada, Iwazaki, Togashi, Iyatomi; IEEE Access 2022, Section III).

    x       = [CLS] x(1) [SEP] ... [SEP] x(M) [SEP]                  Eq. 2  (the unified sequence)
    H       = BERT-style encoder(x), frozen by default               phi's first part (the model's ``encoder``)
    H_Intra = IntraMRA(H(m)) for every modality m                     Eq. 3, 7-11
    H_Inter = InterMRA(H_Intra)                                       Eq. 4, 12-15
    h       = psi(H_Inter) = 1/L sum_i H_Inter,i  (modality tokens)   Eq. 5
    y_hat   = rho(h), an MLP                                          Eq. 6  (the model's ``mlp``; its loss: ``head``)

Ablation switches (each one config key; a part that is switched off has no parameters):
``use_intra``, ``use_inter`` (both off = Table 3's "encoder only"), ``residual`` (Table 6), ``similarity``
``additive`` | ``scaled_dot_product`` (Table 5), ``pooling`` ``mean`` | ``max`` | ``sum`` (or ``cls``, the [CLS]
state, with both MRAs off: the encoder-only baseline's other possible pooling), and
``missing_modality_scores`` ``masked`` | ``literal`` (how Eq. 13 treats a missing modality: left out of the softmax,
or, as printed, an empty sum H'_m = 0 whose score stays in it; ``modules.inter_mra``; the paper configs use
``literal``).

Beyond the paper: ``numeric_features: true`` appends the magnitudes of the modalities whose values are numbers
(``modules.numeric_features``: standardised signlog values and presence flags, 2M numbers) to h before rho, so a
year, a price or a count is read as a number and not only as digits (off in the paper configs).

``forward`` returns, besides the task outputs, ``intra_weights`` ``(batch, M, T)`` (a_Intra of each kept token of
each modality, aligned with the reader's ``modality_tokens``) and ``inter_weights`` ``(batch, M)`` (a_Inter; 0 for a
missing modality). The weights of a switched-off part are returned as zeros.
"""
from typing import List, Optional

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.models import Model

from dm2s2_allennlp.models.multimodal_model import Fusion, ModalityInputs, MultimodalModel
from dm2s2_allennlp.models.prediction_mlp import PredictionMlp
from dm2s2_allennlp.modules.inter_mra import InterModalityResidualAttention, check_missing_scores
from dm2s2_allennlp.modules.intra_mra import IntraModalityResidualAttention
from dm2s2_allennlp.modules.numeric_features import NumericFeatures
from dm2s2_allennlp.modules.similarity import check_similarity
from dm2s2_allennlp.modules.token_pooling import check_unified_pooling, pool_unified


@Model.register("dm2s2")
class DM2S2(MultimodalModel):
    """Parameters: those of :class:`MultimodalModel` (``modalities``, ``encoder``, ``head``), the switches above
    and rho, ``mlp`` (default ``{hidden_dims: [256], activation: relu, dropout: 0.1}``)."""

    def __init__(
        self,
        vocab: Vocabulary,
        modalities: Optional[List[str]] = None,
        use_intra: bool = True,
        use_inter: bool = True,
        residual: bool = True,
        similarity: str = "additive",
        pooling: str = "mean",
        missing_modality_scores: str = "masked",
        numeric_features: bool = False,
        mlp: Optional[PredictionMlp] = None,
        **kwargs,
    ) -> None:
        super().__init__(vocab, modalities=modalities, **kwargs)
        self.checked(check_similarity, similarity)
        self.pooling = self.checked(check_unified_pooling, pooling)
        if pooling == "cls" and (use_intra or use_inter):
            raise ConfigurationError("pooling 'cls' reads the [CLS] state, which IntraMRA and InterMRA never change: "
                                     "use it with `use_intra: false, use_inter: false` (Table 3's encoder only)")
        m, d = len(self.modalities), self.hidden_dim
        self.intra = IntraModalityResidualAttention(m, d, similarity, residual) if use_intra else None
        self.inter = (InterModalityResidualAttention(m, d, similarity, residual,
                                                     self.checked(check_missing_scores, missing_modality_scores))
                      if use_inter else None)
        self.numeric = NumericFeatures(m) if numeric_features else None
        extra = self.numeric.output_dim if self.numeric is not None else 0
        self.mlp = self.prediction_mlp(mlp or PredictionMlp(), d + extra)
        self.initialize()

    def fuse(self, inputs: ModalityInputs) -> Fusion:
        unified = self.encoder.unify(inputs.token_ids, inputs.mask)
        hidden = self.encoder.encode(unified, all_positions=self.pooling == "cls")  # cls: the [CLS] state too
        ids = unified.modality_ids
        if self.intra is not None:
            hidden, intra_weights = self.intra(hidden, ids, unified.modality_index())
        else:
            intra_weights = hidden.new_zeros(ids.shape)
        if self.inter is not None:
            hidden, inter_weights = self.inter(hidden, ids)
        else:
            inter_weights = hidden.new_zeros(ids.size(0), len(self.modalities))
        pooled = pool_unified(hidden, ids >= 0, self.pooling)
        if self.numeric is not None:
            if inputs.numbers is None:
                raise ConfigurationError("numeric_features: the reader gave no `numbers` field")
            pooled = torch.cat([pooled, self.numeric(inputs.numbers)], dim=-1)
        return Fusion(self.mlp(pooled), {"intra_weights": unified.scatter_back(intra_weights),
                                         "inter_weights": inter_weights})
