"""Training components: the paper's learning-rate schedule and the trainer callbacks."""
from dm2s2_allennlp.training.warmup_cosine import WarmupCosine
from dm2s2_allennlp.training.callbacks import FitToData, FlushEncoderCache, StackAndTune
