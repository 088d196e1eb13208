"""``fit_to_data`` trainer callback: fits a model's data-dependent parts to the training data when training starts,
inside ``allennlp train``: the statistics of the training data (class counts -> class weights; target mean and std
-> regression scaling; numeric values' mean and std -> numeric features; ``MultimodalModel.data_statistics``), read
from the trainer's training data loader. Under distributed training every worker's statistics are summed, so all
workers use those of the whole training set. Parts fitted already (``label_counts`` in the config, a recovered run)
are left alone. (The decisions fitted on the validation data -- the LightGBM blend, tuned thresholds -- are
``stack_and_tune``'s.)
"""
import logging

import torch.distributed as dist
from allennlp.common.util import is_distributed
from allennlp.training.callbacks import TrainerCallback

logger = logging.getLogger(__name__)


@TrainerCallback.register("fit_to_data")
class FitToData(TrainerCallback):
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
