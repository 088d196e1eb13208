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
from typing import Any, Dict, List, Optional, Sequence

import torch
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.training.metrics import Average

from dm2s2_allennlp.models.multimodal_model import MultimodalModel
from dm2s2_allennlp.modules.mlp import MLP
from dm2s2_allennlp.modules.multimodal_autoencoder import (ModalityScalarAttention, MultimodalAutoencoder,
                                                           loss_weights, reconstruction_loss)
from dm2s2_allennlp.modules.pooling import check_pooling


@Model.register("mmae")
class MultimodalAutoencoderModel(MultimodalModel):
    """Parameters: those of :class:`MultimodalModel`, plus ``code_dim`` k per modality (64),
    ``autoencoder_hidden_dim`` (256), ``attention_dim`` (256), ``attention_dropout`` (0.2),
    ``reconstruction_weights`` ({modality: alpha}), ``reconstruction_loss_weight`` (1.0), ``task_loss_weight``
    (1.0), ``encoder_pooling`` (``mean``), and the classifier's ``mlp_hidden_dims`` ([]: 004's single softmax
    layer), ``mlp_activation``, ``mlp_dropout``."""

    default_predictor = "dm2s2"

    def __init__(
        self,
        vocab: Vocabulary,
        modalities: List[str],
        code_dim: int = 64,
        autoencoder_hidden_dim: int = 256,
        attention_dim: int = 256,
        attention_dropout: float = 0.2,
        reconstruction_weights: Optional[Dict[str, float]] = None,
        reconstruction_loss_weight: float = 1.0,
        task_loss_weight: float = 1.0,
        encoder_pooling: str = "mean",
        mlp_hidden_dims: Sequence[int] = (),
        mlp_activation: str = "relu",
        mlp_dropout: float = 0.0,
        **kwargs,
    ) -> None:
        super().__init__(vocab, modalities, **kwargs)
        self.encoder_pooling = self.checked(check_pooling, encoder_pooling)
        alphas = self.checked(lambda given: loss_weights(self.modalities, given), reconstruction_weights or {})
        self.register_buffer("reconstruction_weights", alphas)
        self.reconstruction_loss_weight = reconstruction_loss_weight
        self.task_loss_weight = task_loss_weight
        m, d = len(self.modalities), self.hidden_dim
        self.autoencoder = MultimodalAutoencoder(m, d, code_dim, autoencoder_hidden_dim)
        self.attention = ModalityScalarAttention(m, d, attention_dim, attention_dropout)
        self.classifier = MLP(self.attention.output_dim + self.autoencoder.code_dim, list(mlp_hidden_dims),
                              self.num_outputs, mlp_activation, mlp_dropout)
        self.mean_reconstruction = Average()
        self.initialize()

    def forward(  # type: ignore[override]
        self,
        modalities: TextFieldTensors,
        label: Optional[torch.Tensor] = None,
        metadata: Optional[List[Dict[str, Any]]] = None,
    ) -> Dict[str, Any]:
        vectors, present = self.modality_vectors(modalities, self.encoder_pooling)
        code, reconstructions = self.autoencoder(vectors)
        rec_loss = reconstruction_loss(vectors, reconstructions, present, self.reconstruction_weights)  # Eq. 7
        attended, weights = self.attention(vectors, present)
        output = self.head_outputs(self.classifier(torch.cat([attended, code], dim=-1)), label, metadata)
        self.add_auxiliary_loss(output, self.reconstruction_loss_weight * rec_loss, self.task_loss_weight)
        self.mean_reconstruction(float(rec_loss.detach()))
        output["modality_weights"] = weights
        output["reconstruction_loss"] = rec_loss.detach()
        return self.finish(output, metadata)

    def get_metrics(self, reset: bool = False) -> Dict[str, float]:
        return {**super().get_metrics(reset),
                "reconstruction_loss": float(self.mean_reconstruction.get_metric(reset))}
