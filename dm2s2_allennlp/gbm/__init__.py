"""Gradient-boosted trees on the records' rendered modalities: features and boosting (used by the LightGBM baseline
and by a head's LightGBM blend)."""
from dm2s2_allennlp.gbm.boosting import boosters_from, booster_texts, fit_lightgbm, predict_with
from dm2s2_allennlp.gbm.features import RecordFeatures, words
from dm2s2_allennlp.gbm.targets import label_targets
