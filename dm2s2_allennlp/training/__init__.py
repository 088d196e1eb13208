"""Training components: the paper's learning-rate schedule (the LightGBM baseline lives in `lightgbm_baseline`,
imported by its command only)."""
from dm2s2_allennlp.training.warmup_cosine import WarmupCosine
