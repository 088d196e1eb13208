"""``fit_to_data`` trainer callback: fits a model's data-dependent parts to the training data when training starts,
inside ``allennlp train``: the statistics of the training data (class counts -> class weights; target mean and std
-> regression scaling; numeric values' mean and std -> numeric features; ``MultimodalModel.data_statistics``), read
from the trainer's training data loader. Under distributed training every worker's statistics are summed, so all
workers use those of the whole training set. Parts fitted already (``label_counts`` in the config, a recovered run)
are left alone. (The decisions fitted on the validation data -- the blend with LightGBM and a linear model, tuned
thresholds -- are ``stack_and_tune``'s.)

A reader that had to infer its facts during the run is refused here, before any training: ``allennlp train``
writes the run's ``config.json`` before it reads data, so that config (and the archive made from it) would not state
them. ``dm2s2 train`` settles them before the run (``dataset_readers.reader_facts.settle``); the error gives the
``-o`` that states them for ``allennlp train``.
"""
import json
import logging

import torch.distributed as dist
from allennlp.common.checks import ConfigurationError
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
        refuse_unsettled_facts(trainer)
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


def refuse_unsettled_facts(trainer) -> None:
    """A ``ConfigurationError`` when the run's training reader inferred a fact while the run read its data."""
    reader = getattr(trainer.data_loader, "reader", None)
    inferred = reader.inferred_facts() if hasattr(reader, "inferred_facts") else {}
    if inferred:
        overrides = json.dumps({f"dataset_reader.{fact}": value for fact, value in inferred.items()})
        raise ConfigurationError(
            f"the reader inferred its {' and '.join(inferred)} during the run, after config.json was written, so "
            f"the archive could not read new data the same way: train with `dm2s2 train` (it settles them from the "
            f"training file before the run), or state them: -o '{overrides}'")
