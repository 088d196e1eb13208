"""Plain-torch building blocks of DM2S2 (usable and testable without AllenNLP)."""
from dm2s2_allennlp.modules.inter_mra import InterModalityResidualAttention
from dm2s2_allennlp.modules.intra_mra import IntraModalityResidualAttention
from dm2s2_allennlp.modules.token_pooling import POOLINGS, pool_tokens
from dm2s2_allennlp.modules.similarity import SIMILARITIES, masked_softmax, similarity
from dm2s2_allennlp.modules.truncation import fair_lengths, fair_lengths_tensor
from dm2s2_allennlp.modules.unified_sequence import UnifiedSequence, build_unified_sequence
from dm2s2_allennlp.modules.set_pooling import SET_POOLINGS, modality_importance, set_pool
from dm2s2_allennlp.modules.modality_attention_merger import ModalityAttentionMerger
from dm2s2_allennlp.modules.multimodal_autoencoder import (ModalityScalarAttention, MultimodalAutoencoder,
                                                           reconstruction_loss)
