"""Multimodal encoders (registered ``MultimodalEncoder`` parts): token ids of every modality -> hidden states."""
from dm2s2_allennlp.encoders.multimodal_encoder import MultimodalEncoder
from dm2s2_allennlp.encoders.pretrained_transformer import PretrainedTransformerMultimodalEncoder
