"""``check_finite_loss`` trainer callback: training stops at the first batch whose loss is not finite, naming that
batch's records, instead of AllenNLP's bare "nan loss encountered" or, for an infinite loss, carrying on with
broken gradients.

The model keeps the ids of the batch it is training on (``last_batch_ids``, a host list: no GPU wait). After the
trainer has read the loss (it does, for every batch), ``on_backward`` checks it for infinity; a NaN loss the trainer
itself stops on, and ``on_end`` replaces its error with one that names the records."""
import math
import sys
from typing import Any, Dict

from allennlp.training.callbacks import TrainerCallback


class NonFiniteLoss(ValueError):
    pass


def _message(value: str, ids) -> str:
    return (f"the training loss is {value} on the batch with records {list(ids)[:20]}: look for extreme values in "
            "these records' labels or numeric fields (or lower the learning rate)")


@TrainerCallback.register("check_finite_loss")
class CheckFiniteLoss(TrainerCallback):
    def on_backward(self, trainer, batch_outputs: Dict[str, Any], backward_called: bool, **kwargs) -> bool:
        loss = float(batch_outputs["loss"].detach())  # the trainer has read it already: no extra wait
        if math.isinf(loss):
            raise NonFiniteLoss(_message(str(loss), getattr(trainer.model, "last_batch_ids", [])))
        return False

    def on_end(self, trainer, metrics: Dict[str, Any] = None, epoch: int = None, is_primary: bool = True,
               **kwargs) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ValueError) and "nan loss" in str(error):
            raise NonFiniteLoss(_message("nan", getattr(trainer.model, "last_batch_ids", []))) from error
