"""Training components: the paper's learning-rate schedule."""
from dm2s2_allennlp.training.warmup_cosine import WarmupCosine
