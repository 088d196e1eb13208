"""``concat_fusion``: the plain mid-fusion baseline the DM2S2 and DMMS papers argue against. Each modality is
encoded on its own by the frozen encoder and pooled to one vector x_m (``mean`` of its token states); a missing
modality contributes zeros; the concatenation [x_1; ...; x_M] goes through the model's ``mlp``:

    y_hat = MLP([x_1; ...; x_M])

Unlike a set (``dmms``) or attention (``dm2s2``, ``modality_attention_merger``), the model's size grows with M and a
missing modality needs a place-holder (the zeros).
"""
from typing import List, Optional

from allennlp.data import Vocabulary
from allennlp.models import Model

from dm2s2_allennlp.models.multimodal_model import Fusion, ModalityInputs, MultimodalModel
from dm2s2_allennlp.models.per_modality import modality_vectors
from dm2s2_allennlp.models.prediction_mlp import PredictionMlp
from dm2s2_allennlp.modules.token_pooling import check_pooling


@Model.register("concat_fusion")
class ConcatFusion(MultimodalModel):
    """Parameters: those of :class:`MultimodalModel`, plus ``encoder_pooling`` (``mean``) and the ``mlp``
    (``{hidden_dims: [256], activation: relu, dropout: 0.1}``)."""

    def __init__(
        self,
        vocab: Vocabulary,
        modalities: Optional[List[str]] = None,
        encoder_pooling: str = "mean",
        mlp: Optional[PredictionMlp] = None,
        **kwargs,
    ) -> None:
        super().__init__(vocab, modalities=modalities, **kwargs)
        self.encoder_pooling = self.checked(check_pooling, encoder_pooling)
        self.mlp = self.prediction_mlp(mlp or PredictionMlp(), len(self.modalities) * self.hidden_dim)
        self.initialize()

    def fuse(self, inputs: ModalityInputs) -> Fusion:
        vectors, _ = modality_vectors(self.encoder, inputs.token_ids, inputs.mask, self.encoder_pooling)
        return Fusion(self.mlp(vectors.flatten(1)))
