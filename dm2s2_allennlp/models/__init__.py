"""The registered models: each is the fusion of one paper between the shared encoder and task head
(``multimodal_model``: the composition and its one forward; ``per_modality``: the mid-fusion baselines' pooling of
each modality's own encoding; ``prediction_mlp``: rho)."""
from dm2s2_allennlp.models.multimodal_model import Fusion, MultimodalModel
from dm2s2_allennlp.models.prediction_mlp import PredictionMlp
from dm2s2_allennlp.models.dm2s2 import DM2S2
from dm2s2_allennlp.models.encoder_only import EncoderOnly
from dm2s2_allennlp.models.dmms import DeepMultiModalSets
from dm2s2_allennlp.models.modality_attention_merger import ModalityAttentionMergerModel
from dm2s2_allennlp.models.mmae import MultimodalAutoencoderModel
from dm2s2_allennlp.models.concat_fusion import ConcatFusion
