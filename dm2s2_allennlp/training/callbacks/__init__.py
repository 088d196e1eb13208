"""Trainer callbacks the shipped configs list: ``fit_to_data`` (training-data statistics, at the start),
``stack_and_tune`` (the decisions fitted on the validation data: the blend with LightGBM and a linear model,
thresholds), ``flush_encoder_cache``."""
from dm2s2_allennlp.training.callbacks.fit_to_data import FitToData
from dm2s2_allennlp.training.callbacks.flush_encoder_cache import FlushEncoderCache
from dm2s2_allennlp.training.callbacks.stack_and_tune import StackAndTune
