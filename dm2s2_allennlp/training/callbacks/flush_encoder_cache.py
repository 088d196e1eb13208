"""``flush_encoder_cache`` trainer callback: at the end of every epoch (and of training) wait until the encoder-state
cache has written that epoch's states to disk, so that a run started next -- another seed, an ablation, an
evaluation -- finds them. (Pending writes are flushed when the process exits anyway; this makes the epoch the unit.)"""
from typing import Any, Dict

from allennlp.training.callbacks import TrainerCallback


@TrainerCallback.register("flush_encoder_cache")
class FlushEncoderCache(TrainerCallback):
    @staticmethod
    def flush(trainer) -> None:
        encoder = getattr(trainer.model, "encoder", None)
        if encoder is not None and hasattr(encoder, "flush"):
            encoder.flush()

    def on_epoch(self, trainer, metrics: Dict[str, Any], epoch: int, is_primary: bool = True, **kwargs) -> None:
        self.flush(trainer)

    def on_end(self, trainer, metrics: Dict[str, Any] = None, epoch: int = None, is_primary: bool = True,
               **kwargs) -> None:
        self.flush(trainer)
