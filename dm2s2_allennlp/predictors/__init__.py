"""The ``dm2s2`` predictor, every model's default: predictions with their attention weights keyed by modality."""
from dm2s2_allennlp.predictors.dm2s2 import DM2S2Predictor
