"""Registered metrics; each task head composes the ones of its task."""
from dm2s2_allennlp.metrics.deferred import Deferred
from dm2s2_allennlp.metrics.device_mean import DeviceMean
from dm2s2_allennlp.metrics.grouped_accuracy import GroupedAccuracy
from dm2s2_allennlp.metrics.multilabel_f1 import MultilabelF1
from dm2s2_allennlp.metrics.regression_errors import RegressionErrors
from dm2s2_allennlp.metrics.recall_at_precision import RecallAtPrecision, recall_at_precision
