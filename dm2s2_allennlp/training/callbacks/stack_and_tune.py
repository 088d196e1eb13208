"""``stack_and_tune`` trainer callback: the post-training step that fits a model's DECISIONS on the validation data --
the LightGBM and linear model that ``blend_with_lightgbm`` stacks (``heads.lightgbm_blend``) and the multi-label
thresholds of ``tune_thresholds`` (``heads.thresholds``) -- so that the head only applies them.

  * ``on_start``: the head's fitted decisions are suspended for the run, so every validation pass scores the model
    alone at the default thresholds, which is what the epoch is chosen on;
  * ``on_batch`` (validation): keeps the model's own scores (``scores``), the gold labels and the records' texts;
  * ``on_epoch`` of an epoch that is the best so far: the blend's partners are fitted to the training records,
    choosing on the validation records (once: they depend on the data alone), the blend weights are chosen on this
    epoch's validation scores, and the thresholds are tuned on the blended scores. All of it is written into the head
    BEFORE the trainer saves this epoch's checkpoint and ``best.th``, so the trainer's own files -- and the archive
    made from ``best.th`` -- hold the decisions of the best epoch; no file is rewritten afterwards;
  * ``on_end``: the decisions apply again: the test evaluation of ``allennlp train``, ``evaluate`` and ``predict``
    use them.

Under distributed training the validation outputs of every worker are gathered first.
"""
import logging
from typing import Any, Dict, List, Optional

import torch
import torch.distributed as dist
from allennlp.common.util import is_distributed
from allennlp.training.callbacks import TrainerCallback

from dm2s2_allennlp.gbm import label_targets
from dm2s2_allennlp.heads.thresholds import tune_thresholds

logger = logging.getLogger(__name__)


@TrainerCallback.register("stack_and_tune")
class StackAndTune(TrainerCallback):
    def __init__(self, serialization_dir: str) -> None:
        super().__init__(serialization_dir)
        self.scores: List[torch.Tensor] = []
        self.gold: List[torch.Tensor] = []
        self.texts: List[Dict[str, Optional[str]]] = []

    @staticmethod
    def head(trainer):
        head = getattr(trainer.model, "head", None)
        return head if head is not None and head.fits_decisions else None

    def on_start(self, trainer, is_primary: bool = True, **kwargs) -> None:
        head = self.head(trainer)
        if head is not None:
            head.suspend_decisions(True)

    def on_batch(self, trainer, batch_inputs, batch_outputs, batch_metrics, epoch: int, batch_number: int,
                 is_training: bool, is_primary: bool = True, batch_grad_norm=None, **kwargs) -> None:
        if is_training or self.head(trainer) is None:
            return
        for inputs, outputs in zip(batch_inputs, batch_outputs):
            if "label" in inputs:
                self.scores.append(outputs["scores"].detach().cpu())
                self.gold.append(inputs["label"].detach().cpu())
                self.texts.extend(m["modality_texts"] for m in inputs["metadata"])

    def on_epoch(self, trainer, metrics: Dict[str, Any], epoch: int, is_primary: bool = True, **kwargs) -> None:
        head = self.head(trainer)
        if head is None:
            return
        evaluation = self.take()  # every epoch: the buffers start empty for the next
        if metrics.get("best_epoch") != epoch:
            return
        if evaluation is None:
            logger.warning("stack_and_tune: no labeled validation records: nothing is blended or tuned")
            return
        self.fit(trainer, head, *evaluation)

    def on_end(self, trainer, metrics: Dict[str, Any] = None, epoch: int = None, is_primary: bool = True,
               **kwargs) -> None:
        head = self.head(trainer)
        if head is not None:
            head.suspend_decisions(False)

    def take(self) -> Optional[tuple]:
        """This epoch's validation outputs (every worker's), and empty buffers for the next epoch."""
        evaluation = (torch.cat(self.scores), torch.cat(self.gold), self.texts) if self.scores else None
        self.scores, self.gold, self.texts = [], [], []
        if is_distributed():
            gathered = [None] * dist.get_world_size()
            dist.all_gather_object(gathered, evaluation)
            parts = [part for part in gathered if part is not None]
            evaluation = (torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts]),
                          [t for p in parts for t in p[2]]) if parts else None
        return evaluation

    @staticmethod
    def fit(trainer, head, scores: torch.Tensor, gold: torch.Tensor, texts: List[Dict[str, Optional[str]]]) -> None:
        blend = head.blend
        if blend is not None:
            if not blend.fitted:
                train = [i for i in trainer.data_loader.iter_instances() if "label" in i]
                blend.fit_partners([i["metadata"]["modality_texts"] for i in train],
                                   label_targets(train, getattr(head, "names", [])), texts, gold.numpy(),
                                   head.num_outputs)
            blend.choose_weights(scores, texts, lambda blended: head.scoring_loss(blended, gold))
            scores = blend.apply(scores, texts)
        if getattr(head, "tune", False):
            thresholds = tune_thresholds(scores, gold, head.default_threshold, head.tune_for)
            head.set_thresholds(thresholds)
            logger.info("thresholds tuned on %d validation records: %s", len(gold),
                        dict(zip(head.names, [round(t, 4) for t in thresholds.tolist()])))
