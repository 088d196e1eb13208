"""``encoder_only``: the DM2S2 paper's "RoBERTa/BERT encoder only" baseline (Tables 1-4): the encoder over the
unified sequence of Eq. 2, pooling over the modality tokens (Eq. 5's psi, ``mean`` by default) and the MLP rho of
Eq. 6 -- DM2S2 without IntraMRA and InterMRA.

``modality_embeddings: true`` is the Tables 1-2 variant that tells the modalities apart with token type (segment)
ids: [CLS] and padding get type 0, the tokens of modality m and the [SEP] closing it type m + 1. No pretrained
encoder has M + 1 token types (RoBERTa has 1, BERT 2), so the types are a NEW trainable table of M + 1 vectors,
initialised to zero (the model starts as the plain encoder-only one) and added to the word embeddings at the
encoder's input, next to the encoder's own (frozen) type-0 embedding. The encoder's weights stay frozen, but its
output now depends on trainable parameters: gradients flow through it, and its states are never cached.
"""
from typing import List, Optional

from allennlp.data import Vocabulary
from allennlp.models import Model
from torch import nn

from dm2s2_allennlp.models.multimodal_model import Fusion, ModalityInputs, MultimodalModel
from dm2s2_allennlp.models.prediction_mlp import PredictionMlp
from dm2s2_allennlp.modules.token_pooling import check_unified_pooling, pool_unified


@Model.register("encoder_only")
class EncoderOnly(MultimodalModel):
    """Parameters: those of :class:`MultimodalModel`, plus ``modality_embeddings`` (false), ``pooling`` (``mean``
    | ``max`` | ``sum`` over the modality tokens, or ``cls``: the first token's state) and rho, ``mlp`` (``{hidden_dims: [256], activation: relu, dropout: 0.1}``)."""

    def __init__(
        self,
        vocab: Vocabulary,
        modalities: Optional[List[str]] = None,
        modality_embeddings: bool = False,
        pooling: str = "mean",
        mlp: Optional[PredictionMlp] = None,
        **kwargs,
    ) -> None:
        super().__init__(vocab, modalities=modalities, **kwargs)
        self.pooling = self.checked(check_unified_pooling, pooling)
        self.modality_embedding: Optional[nn.Embedding] = None
        if modality_embeddings:
            self.modality_embedding = nn.Embedding(len(self.modalities) + 1, self.hidden_dim)
            nn.init.zeros_(self.modality_embedding.weight)
        self.mlp = self.prediction_mlp(mlp or PredictionMlp(), self.hidden_dim)
        self.initialize()

    def fuse(self, inputs: ModalityInputs) -> Fusion:
        unified = self.encoder.unify(inputs.token_ids, inputs.mask)
        added = None if self.modality_embedding is None else self.modality_embedding(unified.segment_ids())
        hidden = self.encoder.encode(unified, added, all_positions=self.pooling == "cls")  # cls: [CLS] too
        return Fusion(self.mlp(pool_unified(hidden, unified.modality_ids >= 0, self.pooling)))
