"""``concat_fusion``: the plain mid-fusion baseline the DM2S2 and DMMS papers argue against. Each modality is
encoded on its own by the frozen encoder and pooled to one vector x_m (``mean`` of its token states); a missing
modality contributes zeros; the concatenation [x_1; ...; x_M] goes through an MLP:

    y_hat = MLP([x_1; ...; x_M])

Unlike a set (``dmms``) or attention (``dm2s2``, ``modality_attention_merger``), the model's size grows with M and a
missing modality needs a place-holder (the zeros).
"""
from typing import Any, Dict, List, Optional, Sequence

import torch
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model

from dm2s2_allennlp.models.multimodal_model import MultimodalModel
from dm2s2_allennlp.modules.mlp import MLP
from dm2s2_allennlp.modules.pooling import check_pooling


@Model.register("concat_fusion")
class ConcatFusion(MultimodalModel):
    """Parameters: those of :class:`MultimodalModel`, plus ``encoder_pooling`` (``mean``) and the MLP's
    ``mlp_hidden_dims`` ([256]), ``mlp_activation`` (relu), ``mlp_dropout`` (0.1)."""

    default_predictor = "dm2s2"

    def __init__(
        self,
        vocab: Vocabulary,
        modalities: List[str],
        encoder_pooling: str = "mean",
        mlp_hidden_dims: Sequence[int] = (256,),
        mlp_activation: str = "relu",
        mlp_dropout: float = 0.1,
        **kwargs,
    ) -> None:
        super().__init__(vocab, modalities, **kwargs)
        self.encoder_pooling = self.checked(check_pooling, encoder_pooling)
        self.mlp = MLP(len(self.modalities) * self.hidden_dim, list(mlp_hidden_dims), self.num_outputs,
                       mlp_activation, mlp_dropout)
        self.initialize()

    def forward(  # type: ignore[override]
        self,
        modalities: TextFieldTensors,
        label: Optional[torch.Tensor] = None,
        metadata: Optional[List[Dict[str, Any]]] = None,
    ) -> Dict[str, Any]:
        vectors, _ = self.modality_vectors(modalities, self.encoder_pooling)
        output = self.head_outputs(self.mlp(vectors.flatten(1)), label, metadata)
        return self.finish(output, metadata)
