"""``modality_attention_merger``: the Rakuten multimodal attribute-extraction model (paper 003, Section 4) with its
KL regulariser against modality collapse, on the same token-sequence modalities.

    x_m   = sum of the token vectors of modality m, encoded on its own (003 Section 6.3: "the sum of the tokens'
            representations")
    p, merged = modality-attention merger (LayerNorm per modality, Eq. 2-3; ``modules.modality_attention_merger``)
    y_hat = Linear(merged)                                         (Eq. 1 on the merged input: a shallow classifier)
    L     = L_task + lambda * 1/N sum_j KL(p_j || uniform)         (Eq. 4-5)

Eq. 4 adds lambda times the KL SUM over the records to the cross-entropy; with the task loss averaged over the batch
(as every model here does), the KL term is averaged too, which is Eq. 4 divided by the batch size. ``kl_weight`` is
lambda (003 searched {0, 1e-4, 5e-4, ..., 1e-1, 5e-1}). ``forward`` returns ``modality_weights`` p ``(batch, M)``
(0 for a missing modality) and ``modality_kl``.
"""
from typing import Any, Dict, List, Optional, Sequence

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.training.metrics import Average

from dm2s2_allennlp.models.multimodal_model import MultimodalModel
from dm2s2_allennlp.modules.mlp import MLP
from dm2s2_allennlp.modules.modality_attention_merger import ModalityAttentionMerger
from dm2s2_allennlp.modules.pooling import check_pooling


@Model.register("modality_attention_merger")
class ModalityAttentionMergerModel(MultimodalModel):
    """Parameters: those of :class:`MultimodalModel`, plus ``kl_weight`` lambda (0.01), ``encoder_pooling``
    (``sum``), and the classifier's ``mlp_hidden_dims`` ([]: the paper's linear classifier), ``mlp_activation``,
    ``mlp_dropout`` (0.0). The metric ``modality_kl`` is the mean KL(p || uniform) of the epoch (near 0: uniform
    weights; near log M: collapse onto one modality)."""

    default_predictor = "dm2s2"

    def __init__(
        self,
        vocab: Vocabulary,
        modalities: List[str],
        kl_weight: float = 0.01,
        encoder_pooling: str = "sum",
        mlp_hidden_dims: Sequence[int] = (),
        mlp_activation: str = "relu",
        mlp_dropout: float = 0.0,
        **kwargs,
    ) -> None:
        super().__init__(vocab, modalities, **kwargs)
        if kl_weight < 0:
            raise ConfigurationError(f"`kl_weight` must be >= 0, got {kl_weight}")
        self.encoder_pooling = self.checked(check_pooling, encoder_pooling)
        self.kl_weight = kl_weight
        self.merger = ModalityAttentionMerger(len(self.modalities), self.hidden_dim)
        self.classifier = MLP(len(self.modalities) * self.hidden_dim, list(mlp_hidden_dims), self.num_outputs,
                              mlp_activation, mlp_dropout)
        self.mean_kl = Average()
        self.initialize()

    def forward(  # type: ignore[override]
        self,
        modalities: TextFieldTensors,
        label: Optional[torch.Tensor] = None,
        metadata: Optional[List[Dict[str, Any]]] = None,
    ) -> Dict[str, Any]:
        vectors, present = self.modality_vectors(modalities, self.encoder_pooling)
        merged, weights, kl = self.merger(vectors, present)
        output = self.head_outputs(self.classifier(merged), label, metadata)
        self.add_auxiliary_loss(output, self.kl_weight * kl.mean())  # Eq. 4
        for value in kl.detach().tolist():
            self.mean_kl(value)
        output["modality_weights"] = weights
        output["modality_kl"] = kl
        return self.finish(output, metadata)

    def get_metrics(self, reset: bool = False) -> Dict[str, float]:
        return {**super().get_metrics(reset), "modality_kl": float(self.mean_kl.get_metric(reset))}
