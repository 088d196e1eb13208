"""Trainer callbacks every shipped config lists: ``fit_to_data`` and ``flush_encoder_cache``."""
from dm2s2_allennlp.training.callbacks.fit_to_data import FitToData
from dm2s2_allennlp.training.callbacks.flush_encoder_cache import FlushEncoderCache
