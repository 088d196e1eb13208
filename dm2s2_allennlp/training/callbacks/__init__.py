"""Trainer callbacks every shipped config lists: ``fit_task_head`` and ``flush_encoder_cache``."""
from dm2s2_allennlp.training.callbacks.fit_task_head import FitTaskHead
from dm2s2_allennlp.training.callbacks.flush_encoder_cache import FlushEncoderCache
