"""``per_task``: the head of the reader's task, so that one config serves every task::

    head: {type: "per_task",
           multilabel: {class_weighting: "inverse", tune_thresholds: true, tune_for: "f1_micro"},
           classification: {class_weighting: "inverse"},
           regression: {}}

The task is the reader's (stated or inferred, ``dataset_readers.reader_facts``, read from the vocabulary); the head
is that task's registered head built with that task's options (each optional: the head's defaults). A model whose
config has no ``head`` gets ``per_task`` with no options.
"""
import logging
from typing import Any, Dict, Optional

from allennlp.common import FromParams, Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary

from dm2s2_allennlp.dataset_readers.label_fields import TASKS
from dm2s2_allennlp.dataset_readers.reader_facts import stated_facts
from dm2s2_allennlp.heads.task_head import TaskHead

logger = logging.getLogger(__name__)


class PerTaskHead(FromParams):
    """Not a head itself: ``for_task`` builds the head of the vocabulary's task (registered as ``per_task``)."""

    @staticmethod
    def for_task(vocab: Vocabulary, multilabel: Optional[Dict[str, Any]] = None,
                 classification: Optional[Dict[str, Any]] = None,
                 regression: Optional[Dict[str, Any]] = None) -> TaskHead:
        task = stated_facts(vocab).get("task")
        if task is None:
            raise ConfigurationError("the model has no `head` and the vocabulary does not hold the reader's task "
                                     "(no labeled training record, or a vocabulary not built by this package's "
                                     f"readers): give `model.head: {{type: ...}}`, one of {list(TASKS)}")
        options = {"multilabel": multilabel, "classification": classification, "regression": regression}[task]
        logger.info("head: %r, the reader's task", task)
        return TaskHead.from_params(Params({"type": task, **(options or {})}), vocab=vocab)


def check_task(head: TaskHead, task: Optional[str]) -> None:
    """A head stated in the config must be the one of the reader's task."""
    if task is not None and head.task != task:
        raise ConfigurationError(f"the model's head is {head.task!r} but the reader's task is {task!r}: leave "
                                 "`model.head.type` out (`per_task`) and the head follows the reader's task")


TaskHead.register("per_task", constructor="for_task")(PerTaskHead)
