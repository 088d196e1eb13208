"""``train_parts``: a benchmark-only trainer callback (imported with ``--include-package train_parts`` and
``PYTHONPATH=benchmarks/timing``; not part of the package) that writes ``train_parts.json`` into the run's directory:
wall-clock marks of an ``allennlp train`` run, so ``cpu_time_to_model.py`` can split it into

  * ``training``: from the end of the previous epoch's callbacks (or the start) to the epoch's last training batch
    (the previous epoch's checkpoint and cache flush, data loading, the cache's fill in epoch 0, forward, backward,
    optimizer);
  * ``validation``: the last training batch to the last validation batch;
  * ``fitting``: the last validation batch to this callback's ``on_epoch`` -- it is listed right after
    ``stack_and_tune``, so this is the LightGBM blend's and the thresholds' fitting (and AllenNLP's metric
    computation);

plus ``on_start`` and ``on_end`` (absolute ``time.time()``, comparable with the parent process's clock).
"""
import json
import os
import time
from typing import Any, Dict, List

from allennlp.training.callbacks import TrainerCallback


@TrainerCallback.register("train_parts")
class TrainParts(TrainerCallback):
    def __init__(self, serialization_dir: str) -> None:
        super().__init__(serialization_dir)
        self.marks: Dict[str, Any] = {"epochs": []}
        self.current: Dict[str, float] = {}

    def on_start(self, trainer, is_primary: bool = True, **kwargs) -> None:
        self.marks["start"] = self.epoch_start = time.time()

    def on_batch(self, trainer, batch_inputs, batch_outputs, batch_metrics, epoch: int, batch_number: int,
                 is_training: bool, is_primary: bool = True, **kwargs) -> None:
        key = "last_training_batch" if is_training else "last_validation_batch"
        self.current[key] = time.time()

    def on_epoch(self, trainer, metrics: Dict[str, Any], epoch: int, is_primary: bool = True, **kwargs) -> None:
        now = time.time()
        trained = self.current.get("last_training_batch", self.epoch_start)
        validated = self.current.get("last_validation_batch", trained)
        epochs: List[Dict[str, float]] = self.marks["epochs"]
        epochs.append({"epoch": epoch, "training": round(trained - self.epoch_start, 3),
                       "validation": round(validated - trained, 3), "fitting": round(now - validated, 3),
                       "end": now})
        self.current = {}
        self.epoch_start = now

    def on_end(self, trainer, metrics: Dict[str, Any] = None, epoch: int = None, is_primary: bool = True,
               **kwargs) -> None:
        self.marks["end"] = time.time()
        if is_primary:
            with open(os.path.join(self.serialization_dir, "train_parts.json"), "w", encoding="utf-8") as handle:
                json.dump(self.marks, handle, indent=1)
