"""``fit_to_data`` trainer callback: fits a model's data-dependent parts to the training data when training starts,
inside ``allennlp train``: the statistics of the training data (class counts -> class weights; target mean and std
-> regression scaling; numeric values' mean and std -> numeric features; ``MultimodalModel.data_statistics``), read
from the trainer's training data loader. Under distributed training every worker's statistics are summed, so all
workers use those of the whole training set. Parts fitted already (``label_counts`` in the config, a recovered run)
are left alone. (The decisions fitted on the validation data -- the LightGBM blend, tuned thresholds -- are
``stack_and_tune``'s.)

It also writes the facts the reader inferred from the training data (its ``modalities`` and ``task`` when the config
left them out, as the vocabulary holds them: ``dataset_readers.reader_facts``) into the run's ``config.json``, which the archive is made from, so
an archive's reader reads new data with the training data's modalities in their order, whatever order a new file
names them in.
"""
import json
import logging
import os

import torch.distributed as dist
from allennlp.common.util import is_distributed
from allennlp.training.callbacks import TrainerCallback

from dm2s2_allennlp.dataset_readers.reader_facts import state_inferred, stated_facts

logger = logging.getLogger(__name__)


@TrainerCallback.register("fit_to_data")
class FitToData(TrainerCallback):
    def on_start(self, trainer, is_primary: bool = True, **kwargs) -> None:
        model = trainer.model
        if not hasattr(model, "data_statistics"):
            return
        instances = list(trainer.data_loader.iter_instances())
        if is_primary:  # the training data is read: the reader knows what it inferred
            state_inferred_facts(trainer)
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


def state_inferred_facts(trainer) -> None:
    """Write the facts the run's readers inferred into its ``config.json`` (``reader_facts.state_inferred``), as the
    model's vocabulary holds them (what the training data's reader stated, whichever process read it)."""
    path = os.path.join(trainer._serialization_dir or "", "config.json")
    if not os.path.isfile(path):
        return
    with open(path, encoding="utf-8") as handle:
        config = json.load(handle)
    readers = {"dataset_reader": getattr(trainer.data_loader, "reader", None),
               "validation_dataset_reader": getattr(getattr(trainer, "_validation_data_loader", None), "reader", None)}
    stated = state_inferred(config, readers, stated_facts(trainer.model.vocab))
    if stated:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(config, handle, indent=4)
        logger.info("config.json states the %s the reader inferred, so the archive reads new data the same way",
                    " and ".join(stated))
