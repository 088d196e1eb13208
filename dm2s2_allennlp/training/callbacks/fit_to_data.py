"""``fit_to_data`` trainer callback: fits a model's data-dependent parts to the training data, and a multi-label
head's thresholds to the validation data, inside ``allennlp train``.

  * ``on_start``: the statistics of the training data (class counts -> class weights; target mean and std ->
    regression scaling; numeric values' mean and std -> numeric features; ``MultimodalModel.data_statistics``), read
    from the trainer's training data loader. Under distributed training every worker's statistics are summed, so all
    workers use those of the whole training set. Parts fitted already (``label_counts`` in the config, a recovered
    run) are left alone.
  * ``on_epoch``: when the epoch is the best so far, keep the head's predictions on the validation data of that epoch
    (a head with ``tune_thresholds: true``, or of a model with ``blend_with_lightgbm: true``, records them).
  * ``on_end``: fit the head's LightGBM blend to the training records and the best epoch's validation predictions,
    tune its decision thresholds on those (blended) predictions, and write the result over the best weights, so the
    test evaluation that follows and the archive use them.
"""
import logging
from typing import Any, Dict, Optional

import torch
import torch.distributed as dist
from allennlp.common.util import is_distributed
from allennlp.training.callbacks import TrainerCallback

logger = logging.getLogger(__name__)


@TrainerCallback.register("fit_to_data")
class FitToData(TrainerCallback):
    def __init__(self, serialization_dir: str) -> None:
        super().__init__(serialization_dir)
        self.best_evaluation: Optional[Dict[str, Any]] = None

    @staticmethod
    def head(trainer):
        return getattr(trainer.model, "head", None)

    def on_start(self, trainer, is_primary: bool = True, **kwargs) -> None:
        model = trainer.model
        if not hasattr(model, "data_statistics"):
            return
        instances = list(trainer.data_loader.iter_instances())
        statistics = model.data_statistics(instances)
        if is_distributed():
            device = next(model.parameters()).device
            for name in sorted(statistics):
                value = statistics[name].to(device)
                dist.all_reduce(value)
                statistics[name] = value.cpu()
        model.set_data_statistics(statistics)
        if statistics:
            logger.info("fitted %s to %d training records%s", sorted(statistics), len(instances),
                        " (this worker's share; statistics summed over workers)" if is_distributed() else "")

    def on_epoch(self, trainer, metrics: Dict[str, Any], epoch: int, is_primary: bool = True, **kwargs) -> None:
        head = self.head(trainer)
        if head is not None and head.keeps_evaluation and metrics.get("best_epoch") == epoch:
            self.best_evaluation = head.last_evaluation

    def on_end(self, trainer, metrics: Dict[str, Any] = None, epoch: int = None, is_primary: bool = True,
               **kwargs) -> None:
        head = self.head(trainer)
        if metrics is None or head is None or not head.keeps_evaluation:
            return
        evaluation = self.best_evaluation
        if is_distributed() and evaluation is not None:
            gathered = [None] * dist.get_world_size()
            dist.all_gather_object(gathered, evaluation)
            evaluation = {"scores": torch.cat([e["scores"] for e in gathered]),
                          "gold": torch.cat([e["gold"] for e in gathered]),
                          "texts": None if any(e["texts"] is None for e in gathered) else
                          [t for e in gathered for t in e["texts"]]}
        if evaluation is None:
            logger.warning("no validation predictions of the best epoch (no validation data?): nothing is blended or "
                           "tuned")
            return
        if head.blend is not None:
            train = [i for i in trainer.data_loader.iter_instances() if "label" in i]
            evaluation = head.fit_blend(train, evaluation)
        if getattr(head, "tune", False):
            thresholds = head.tune_to(evaluation)
            logger.info("thresholds tuned on %d validation records: %s", len(evaluation["gold"]),
                        dict(zip(head.names, [round(t, 4) for t in thresholds.tolist()])))
        best = trainer.get_best_weights_path()
        if is_primary and best is not None:
            torch.save(trainer.model.state_dict(), best)

    def state_dict(self) -> Dict[str, Any]:
        return {"best_evaluation": self.best_evaluation}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        self.best_evaluation = state_dict.get("best_evaluation")
