"""Training components: the paper's learning-rate schedule, the trainer callbacks and the ``atomic``
checkpointer."""
from dm2s2_allennlp.training.warmup_cosine import WarmupCosine
from dm2s2_allennlp.training.callbacks import FitToData, FlushEncoderCache, StackAndTune
from dm2s2_allennlp.training.atomic_checkpointer import AtomicCheckpointer
