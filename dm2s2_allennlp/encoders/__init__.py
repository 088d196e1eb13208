"""Multimodal encoders (registered ``MultimodalEncoder`` parts): token ids of every modality -> hidden states.
``pretrained_transformer`` runs a Hugging Face transformer; ``cached`` wraps one and reads its frozen part's states
from the encoder-state cache."""
from dm2s2_allennlp.encoders.multimodal_encoder import MultimodalEncoder
from dm2s2_allennlp.encoders.pretrained_transformer import PretrainedTransformerMultimodalEncoder
from dm2s2_allennlp.encoders.cached import CachedEncoder
