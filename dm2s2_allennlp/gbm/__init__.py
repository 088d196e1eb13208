"""Gradient-boosted trees on the records' rendered modalities: features, boosting and label arrays (used by the
recipe's blend, whose linear partner is ``gbm.linear``), and the LightGBM baseline's pipeline (``gbm.baseline``,
``allennlp train-lightgbm``; not imported here: it reports through the task heads)."""
from dm2s2_allennlp.gbm.boosting import boosters_from, booster_texts, fit_lightgbm, predict_with
from dm2s2_allennlp.gbm.features import RecordFeatures, words
from dm2s2_allennlp.gbm.targets import label_targets
