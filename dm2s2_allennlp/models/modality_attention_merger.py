"""``modality_attention_merger``: the Rakuten multimodal attribute-extraction model (paper 003, Section 4) with its
KL regulariser against modality collapse, on the same token-sequence modalities.

    x_m   = sum of the token vectors of modality m, encoded on its own (003 Section 6.3: "the sum of the tokens'
            representations")
    p, merged = modality-attention merger (LayerNorm per modality, Eq. 2-3; ``modules.modality_attention_merger``)
    y_hat = mlp(merged)                                             (Eq. 1 on the merged input: by default a linear
                                                                     classifier, ``mlp: {hidden_dims: []}``)
    L     = L_task + lambda * 1/N sum_j KL(p_j || uniform)         (Eq. 4-5)

Eq. 4 adds lambda times the KL SUM over the records to the cross-entropy; with the task loss averaged over the batch
(as every model here does), the KL term is averaged too, which is Eq. 4 divided by the batch size. ``kl_weight`` is
lambda (003 searched {0, 1e-4, 5e-4, ..., 1e-1, 5e-1}). ``forward`` returns ``modality_weights`` p ``(batch, M)``
(0 for a missing modality) and ``modality_kl``; the metric ``modality_kl`` is its epoch mean (near 0: uniform
weights; near log M: collapse onto one modality).
"""
from typing import Dict, List, Optional

from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.models import Model

from dm2s2_allennlp.metrics.device_mean import DeviceMean
from dm2s2_allennlp.models.multimodal_model import Fusion, ModalityInputs, MultimodalModel
from dm2s2_allennlp.models.per_modality import modality_vectors
from dm2s2_allennlp.models.prediction_mlp import PredictionMlp
from dm2s2_allennlp.modules.modality_attention_merger import ModalityAttentionMerger
from dm2s2_allennlp.modules.token_pooling import check_pooling


@Model.register("modality_attention_merger")
class ModalityAttentionMergerModel(MultimodalModel):
    """Parameters: those of :class:`MultimodalModel`, plus ``kl_weight`` lambda (0.01), ``encoder_pooling``
    (``sum``), and the classifier ``mlp`` (``{hidden_dims: [], dropout: 0.0}``: the paper's linear classifier)."""

    def __init__(
        self,
        vocab: Vocabulary,
        modalities: Optional[List[str]] = None,
        kl_weight: float = 0.01,
        encoder_pooling: str = "sum",
        mlp: Optional[PredictionMlp] = None,
        **kwargs,
    ) -> None:
        super().__init__(vocab, modalities=modalities, **kwargs)
        if kl_weight < 0:
            raise ConfigurationError(f"`kl_weight` must be >= 0, got {kl_weight}")
        self.encoder_pooling = self.checked(check_pooling, encoder_pooling)
        self.kl_weight = kl_weight
        self.merger = ModalityAttentionMerger(len(self.modalities), self.hidden_dim)
        self.classifier = self.prediction_mlp(mlp or PredictionMlp((), dropout=0.0),
                                              len(self.modalities) * self.hidden_dim)
        self.mean_kl = DeviceMean()
        self.initialize()

    def fuse(self, inputs: ModalityInputs) -> Fusion:
        vectors, present = modality_vectors(self.encoder, inputs.token_ids, inputs.mask, self.encoder_pooling)
        merged, weights, kl = self.merger(vectors, present)
        self.mean_kl(kl)
        return Fusion(self.classifier(merged), {"modality_weights": weights, "modality_kl": kl},
                      auxiliary_loss=self.kl_weight * kl.mean())  # Eq. 4

    def fusion_metrics(self, reset: bool = False) -> Dict[str, float]:
        return {"modality_kl": self.mean_kl.get_metric(reset)}
