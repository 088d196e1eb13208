"""Trainer callbacks every shipped config lists: ``fit_to_data``, ``flush_encoder_cache``, ``check_finite_loss``."""
from dm2s2_allennlp.training.callbacks.check_finite_loss import CheckFiniteLoss
from dm2s2_allennlp.training.callbacks.fit_to_data import FitToData
from dm2s2_allennlp.training.callbacks.flush_encoder_cache import FlushEncoderCache
