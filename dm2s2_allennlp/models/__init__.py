from dm2s2_allennlp.models.multimodal_model import MultimodalModel
from dm2s2_allennlp.models.dm2s2 import DM2S2
