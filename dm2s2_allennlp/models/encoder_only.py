"""``encoder_only``: the DM2S2 paper's "RoBERTa/BERT encoder only" baseline (Tables 1-4): the frozen encoder over the
unified sequence of Eq. 2, pooling over the modality tokens (Eq. 5's psi, ``mean`` by default) and the MLP rho of
Eq. 6 -- DM2S2 without IntraMRA and InterMRA.

``modality_embeddings: true`` is the Tables 1-2 variant that tells the modalities apart with token type (segment)
ids: [CLS] and padding get type 0, the tokens of modality m and the [SEP] closing it type m + 1. No pretrained
encoder has M + 1 token types (RoBERTa has 1, BERT 2), so the types are a NEW trainable table of M + 1 vectors,
initialised to zero (the model starts as the plain encoder-only one) and added to the word embeddings at the
encoder's input, next to the encoder's own (frozen) type-0 embedding. The encoder's weights stay frozen, but its
output now depends on trainable parameters: gradients flow through it, and its states are never cached.
"""
import logging
from typing import Any, Dict, List, Optional, Sequence

import torch
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from torch import nn

from dm2s2_allennlp.models.multimodal_model import MultimodalModel
from dm2s2_allennlp.modules.mlp import MLP
from dm2s2_allennlp.modules.pooling import check_pooling, pool_tokens

logger = logging.getLogger(__name__)


@Model.register("encoder_only")
class EncoderOnly(MultimodalModel):
    """Parameters: those of :class:`MultimodalModel`, plus ``modality_embeddings`` (false), ``pooling`` (``mean``
    | ``max`` | ``sum``) and rho's ``mlp_hidden_dims`` ([256]), ``mlp_activation`` (relu), ``mlp_dropout`` (0.1)."""

    default_predictor = "dm2s2"

    def __init__(
        self,
        vocab: Vocabulary,
        modalities: List[str],
        modality_embeddings: bool = False,
        pooling: str = "mean",
        mlp_hidden_dims: Sequence[int] = (256,),
        mlp_activation: str = "relu",
        mlp_dropout: float = 0.1,
        **kwargs,
    ) -> None:
        if modality_embeddings and kwargs.get("cache_encoder_states", True):
            logger.info("encoder_only with modality_embeddings: the encoder's states depend on trainable embeddings, "
                        "so they are not cached")
            kwargs["cache_encoder_states"] = False
        super().__init__(vocab, modalities, **kwargs)
        self.pooling = self.checked(check_pooling, pooling)
        self.modality_embedding: Optional[nn.Embedding] = None
        if modality_embeddings:
            self.modality_embedding = nn.Embedding(len(self.modalities) + 1, self.hidden_dim)
            nn.init.zeros_(self.modality_embedding.weight)
        self.mlp = MLP(self.hidden_dim, list(mlp_hidden_dims), self.num_outputs, mlp_activation, mlp_dropout)
        self.initialize()

    def forward(  # type: ignore[override]
        self,
        modalities: TextFieldTensors,
        label: Optional[torch.Tensor] = None,
        metadata: Optional[List[Dict[str, Any]]] = None,
    ) -> Dict[str, Any]:
        unified = self.unify(modalities)
        if self.modality_embedding is None:
            hidden = self.encode(unified)
        else:
            added = self.modality_embedding(unified.segment_ids())
            hidden = self.run_encoder(unified.input_ids, unified.attention_mask, added)
        pooled = pool_tokens(hidden, unified.modality_ids >= 0, self.pooling)
        output = self.head_outputs(self.mlp(pooled), label, metadata)
        return self.finish(output, metadata)
