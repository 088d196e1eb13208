"""``mmae``: the multi-task multimodal model with a multimodal autoencoder (paper 004), on the same token-sequence
modalities: the autoencoder branch's joint code and the attention branch's weighted modality vectors are
concatenated for the prediction, and both branches are trained together.

    x_m      = the frozen encoder's vector of modality m, encoded on its own (tokens mean-pooled)
    h_mm, x_hat = multimodal autoencoder (Eq. 1-6; ``modules.multimodal_autoencoder``)
    v_hat, a = modality attention (Eq. 8-9)
    y_hat    = classifier([v_hat_1, ..., v_hat_M, h_mm])                                  (Eq. 10-11)
    L        = task_loss_weight * L_task + reconstruction_loss_weight * sum_m alpha_m MSE_m   (Eq. 7 + the task)

004 trains the two branches as one multi-task model and found alpha = beta = gamma best: ``reconstruction_weights``
gives alpha_m per modality name (default 1 each). ``forward`` returns ``modality_weights`` a ``(batch, M)`` and
``reconstruction_loss``; the metric ``reconstruction_loss`` is its epoch mean.
"""
from typing import Dict, List, Optional

import torch
from allennlp.data import Vocabulary
from allennlp.models import Model

from dm2s2_allennlp.metrics.device_mean import DeviceMean
from dm2s2_allennlp.models.multimodal_model import Fusion, ModalityInputs, MultimodalModel
from dm2s2_allennlp.checks import in_range
from dm2s2_allennlp.models.per_modality import modality_vectors
from dm2s2_allennlp.models.prediction_mlp import PredictionMlp
from dm2s2_allennlp.modules.multimodal_autoencoder import (ModalityScalarAttention, MultimodalAutoencoder,
                                                           loss_weights, reconstruction_loss)
from dm2s2_allennlp.modules.token_pooling import check_pooling


@Model.register("mmae")
class MultimodalAutoencoderModel(MultimodalModel):
    """Parameters: those of :class:`MultimodalModel`, plus ``code_dim`` k per modality (64),
    ``autoencoder_hidden_dim`` (256), ``attention_dim`` (256), ``attention_dropout`` (0.2),
    ``reconstruction_weights`` ({modality: alpha}), ``reconstruction_loss_weight`` (1.0), ``task_loss_weight``
    (1.0), ``encoder_pooling`` (``mean``), and the classifier ``mlp`` (``{hidden_dims: []}``: 004's single
    softmax layer)."""

    def __init__(
        self,
        vocab: Vocabulary,
        modalities: Optional[List[str]] = None,
        code_dim: int = 64,
        autoencoder_hidden_dim: int = 256,
        attention_dim: int = 256,
        attention_dropout: float = 0.2,
        reconstruction_weights: Optional[Dict[str, float]] = None,
        reconstruction_loss_weight: float = 1.0,
        task_loss_weight: float = 1.0,
        encoder_pooling: str = "mean",
        mlp: Optional[PredictionMlp] = None,
        **kwargs,
    ) -> None:
        super().__init__(vocab, modalities=modalities, **kwargs)
        self.encoder_pooling = self.checked(check_pooling, encoder_pooling)
        alphas = self.checked(lambda given: loss_weights(self.modalities, given), reconstruction_weights or {})
        self.register_buffer("reconstruction_weights", alphas)
        self.reconstruction_loss_weight = in_range("reconstruction_loss_weight", reconstruction_loss_weight, 0.0)
        self.task_loss_weight = in_range("task_loss_weight", task_loss_weight, 0.0)
        for name, weight in (reconstruction_weights or {}).items():
            in_range(f"reconstruction_weights.{name}", weight, 0.0)
        m, d = len(self.modalities), self.hidden_dim
        self.autoencoder = MultimodalAutoencoder(m, d, code_dim, autoencoder_hidden_dim)
        self.attention = ModalityScalarAttention(m, d, attention_dim, attention_dropout)
        self.classifier = self.prediction_mlp(mlp or PredictionMlp((), dropout=0.0),
                                              self.attention.output_dim + self.autoencoder.code_dim)
        self.mean_reconstruction = DeviceMean()
        self.initialize()

    def fuse(self, inputs: ModalityInputs) -> Fusion:
        vectors, present = modality_vectors(self.encoder, inputs.token_ids, inputs.mask, self.encoder_pooling)
        code, reconstructions = self.autoencoder(vectors)
        rec_loss = reconstruction_loss(vectors, reconstructions, present, self.reconstruction_weights)  # Eq. 7
        attended, weights = self.attention(vectors, present)
        self.mean_reconstruction(rec_loss)
        return Fusion(self.classifier(torch.cat([attended, code], dim=-1)),
                      {"modality_weights": weights, "reconstruction_loss": rec_loss.detach()},
                      auxiliary_loss=self.reconstruction_loss_weight * rec_loss, task_loss_weight=self.task_loss_weight)

    def fusion_metrics(self, reset: bool = False) -> Dict[str, float]:
        return {"reconstruction_loss": self.mean_reconstruction.get_metric(reset)}
