"""``dmms``: Deep Multi-Modal Sets (Reiter et al. 2020, paper 001), the set-based mid-fusion baseline of DM2S2's
Tables 1-2, on the same token-sequence modalities.

    x_i   = the frozen encoder's vector of modality i, encoded ON ITS OWN ([CLS] x(i) [SEP]); 001 Section 4.2 takes
            "the first output of the final layer" of BERT (``encoder_pooling: cls``, the paper configs' value); the
            default ``mean`` pools the modality's tokens (all-MiniLM-L6-v2's own sentence embedding)
    phi_i = one fully connected layer d -> D + ELU + dropout 0.25, one per modality    (001 Section 4.3)
    X     = {phi_i(x_i) : modality i present}   (a missing modality is simply not in the set, no place-holder)
    y_hat = rho(psi(X)),  psi in {max, sum, min, mean}                                  (001 Eq. 1-3)

rho is the model's ``mlp`` (001: [D -> 256 -> 128 -> classes] for MM-IMDb, [D -> 32 -> 2] for Ads); its last
layer's bias starts at -log((1 - pi) / pi), pi = 0.01 (``prior``; classification and multi-label tasks). 001 weights
classes by 1/sqrt of their frequency: ``head: {class_weighting: inverse_sqrt}`` in its configs. With
``set_pooling: max`` (or ``min``), ``forward`` returns ``modality_importance`` ``(batch, M)``: how many of the D
pooled dimensions each modality supplied (001 Section 3.3.1, Fig. 1-2).
"""
import math
from typing import List, Optional

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.models import Model
from torch import nn

from dm2s2_allennlp.models.multimodal_model import Fusion, ModalityInputs, MultimodalModel
from dm2s2_allennlp.models.per_modality import modality_vectors
from dm2s2_allennlp.models.prediction_mlp import PredictionMlp
from dm2s2_allennlp.modules.set_pooling import check_set_pooling, modality_importance, set_pool
from dm2s2_allennlp.modules.token_pooling import check_pooling


@Model.register("dmms")
class DeepMultiModalSets(MultimodalModel):
    """Parameters: those of :class:`MultimodalModel`, plus ``set_dim`` D (1024), ``set_pooling`` (``max``),
    ``phi_dropout`` (0.25), ``encoder_pooling`` (how a modality's states become x_i: ``mean``, ``sum``, ``max`` or
    ``cls``), rho's
    ``mlp`` (``{hidden_dims: [256, 128], activation: relu, dropout: 0.0}``), and ``prior`` pi (0.01; null leaves
    the bias at its default initialisation)."""

    def __init__(
        self,
        vocab: Vocabulary,
        modalities: Optional[List[str]] = None,
        set_dim: int = 1024,
        set_pooling: str = "max",
        phi_dropout: float = 0.25,
        encoder_pooling: str = "mean",
        mlp: Optional[PredictionMlp] = None,
        prior: Optional[float] = 0.01,
        **kwargs,
    ) -> None:
        super().__init__(vocab, modalities=modalities, **kwargs)
        self.set_pooling = self.checked(check_set_pooling, set_pooling)
        self.encoder_pooling = encoder_pooling if encoder_pooling == "cls" else self.checked(check_pooling,
                                                                                             encoder_pooling)
        self.phi = nn.ModuleList([
            nn.Sequential(nn.Linear(self.hidden_dim, set_dim), nn.ELU(), nn.Dropout(phi_dropout))
            for _ in self.modalities
        ])
        self.rho = self.prediction_mlp(mlp or PredictionMlp((256, 128), dropout=0.0), set_dim)
        self.initialize()
        if prior is not None and self.head.class_logits:
            if not 0.0 < prior < 1.0:
                raise ConfigurationError(f"`prior` must be in (0, 1), got {prior}")
            nn.init.constant_(self.rho[-1].bias, -math.log((1.0 - prior) / prior))

    def fuse(self, inputs: ModalityInputs) -> Fusion:
        vectors, present = modality_vectors(self.encoder, inputs.token_ids, inputs.mask, self.encoder_pooling)
        elements = torch.stack([phi(vectors[:, m]) for m, phi in enumerate(self.phi)], dim=1)
        pooled, winners = set_pool(elements, present, self.set_pooling)
        outputs = {} if winners is None else {"modality_importance": modality_importance(winners,
                                                                                         len(self.modalities))}
        return Fusion(self.rho(pooled), outputs)
