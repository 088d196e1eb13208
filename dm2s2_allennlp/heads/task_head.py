"""``TaskHead``: everything a model's output means for one task, in one registered part chosen in the config
(``head: {type: "multilabel" | "classification" | "regression", ...}``, or ``per_task``: the one of the reader's
task, ``heads.per_task``).

A head owns the task's loss, its class weights or target scaling, its decision rule (thresholds), its metrics and
its human-readable output; the model before it only produces ``num_outputs`` logits per record. The LightGBM
baseline reports its metrics through the same head (``update_metrics``), so every model of the package reports the
same numbers under the same names.

Statistics of the training labels (class counts for the class weights, the target mean and standard deviation for
regression) are fitted from the training data by the trainer callback ``fit_to_data``
(``training/callbacks/fit_to_data.py``): ``label_statistics`` turns the training label fields into one summable
tensor (the callback adds those of distributed workers), ``set_statistics`` applies it. They are buffers, so an
archive restores the statistics its model was trained with. A head that needs statistics and trains without them
warns once and trains with neutral ones (uniform weights, unscaled targets).

A model with ``blend_with_lightgbm: true`` stacks LightGBM and a linear model onto its head (``enable_blend``,
``heads.lightgbm_blend``)
and a multi-label head may tune its thresholds: the ``stack_and_tune`` trainer callback fits both on the validation
data; the head only applies them (``blended``, ``decide``), and holds them as state, so an archive carries them.
"""
import logging
from typing import Any, Dict, Iterable, List, Optional, Sequence

import torch
from allennlp.common import Registrable
from allennlp.data import Field, Vocabulary

from dm2s2_allennlp.heads.lightgbm_blend import LightGbmBlend
from dm2s2_allennlp.modules.fitted import Fitted

logger = logging.getLogger(__name__)


class TaskHead(Registrable, Fitted):
    """Parameters: ``vocab`` (given by AllenNLP), ``label_namespace`` (``labels``)."""

    task = ""  # the registered name
    main_metric = ("", 1.0)  # the task's main metric and its sign in `main_score` (higher is better)
    class_logits = True  # the logits score classes (a prior on them makes sense); false for regression

    def __init__(self, vocab: Vocabulary, label_namespace: str = "labels") -> None:
        super().__init__()
        self.label_namespace = label_namespace
        self._warned_unfitted = False
        self.blend: Optional[LightGbmBlend] = None
        self.decisions_suspended = False
        self._warned_undecided = False

    # -- decisions fitted after training (the `stack_and_tune` callback) ---------------------------------------------
    def enable_blend(self, seed: int = 13) -> None:
        self.blend = LightGbmBlend(self.task, seed=seed)

    @property
    def fits_decisions(self) -> bool:
        """Whether this head has decisions that ``stack_and_tune`` fits on the validation data."""
        return self.blend is not None

    @property
    def decisions_fitted(self) -> bool:
        return self.blend is None or self.blend.fitted

    def suspend_decisions(self, suspended: bool) -> None:
        """While suspended (the validation passes of a training run) the fitted decisions are not applied."""
        self.decisions_suspended = suspended

    def blended(self, scores: torch.Tensor, metadata: Optional[Sequence[Dict[str, Any]]]) -> torch.Tensor:
        """``scores`` with the blend (LightGBM, a linear model) applied, in evaluation and prediction once fitted."""
        if self.blend is None or self.training or metadata is None or self.decisions_suspended:
            return scores
        return self.blend.apply(scores, [m["modality_texts"] for m in metadata])

    def check_decisions(self) -> None:
        """Warn once when a head evaluates with decisions it was asked to fit and never got (no `stack_and_tune`
        trainer callback in the config)."""
        if not self.training and not self.decisions_suspended and not self.decisions_fitted \
                and not self._warned_undecided:
            self._warned_undecided = True
            logger.warning("%s: `blend_with_lightgbm` / `tune_thresholds` are set but were never fitted (no "
                           "`stack_and_tune` trainer callback in the config?): the model is used alone, at the "
                           "default thresholds", type(self).__name__)

    def scoring_loss(self, scores: torch.Tensor, gold: torch.Tensor) -> float:
        """A proper scoring loss of final scores against gold labels (what the blend weights minimise)."""
        raise NotImplementedError

    # -- what the model needs ------------------------------------------------------------------------------------
    @property
    def num_outputs(self) -> int:
        raise NotImplementedError

    def initialize_output_layer(self, layer: torch.nn.Linear) -> None:
        """Called on the model's last linear layer once it exists (e.g. regression starts at the target mean)."""

    def forward(self, logits: torch.Tensor, label: Optional[torch.Tensor] = None,
                metadata: Optional[Sequence[Dict[str, Any]]] = None) -> Dict[str, torch.Tensor]:
        """The task outputs of ``logits`` ``(batch, num_outputs)``; with ``label`` also ``loss``, and the metrics are
        updated. The loss is the model's own; outputs and metrics use the final scores (blended, once a blend is
        fitted)."""
        scores = self.scores(logits)
        self.check_decisions()
        final = self.blended(scores, metadata)
        output = self.outputs(logits, final)
        output["scores"] = scores  # the model's own, before any blend (what `stack_and_tune` fits to)
        if label is not None:
            self.check_fitted()
            output["loss"] = self.loss(logits, label)
            self.update_metrics(final, label, metadata)
        return output

    def scores(self, logits: torch.Tensor) -> torch.Tensor:
        """The model's scores: class probabilities, or predictions in the target's units."""
        raise NotImplementedError

    def outputs(self, logits: torch.Tensor, scores: torch.Tensor) -> Dict[str, torch.Tensor]:
        raise NotImplementedError

    def loss(self, logits: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def get_metrics(self, reset: bool = False) -> Dict[str, float]:
        """The task's metrics and ``main_score``: the main metric, signed so that higher is better (multilabel
        ``f1_micro``, classification ``accuracy``, regression ``-rmse``), one name a config selects epochs on
        (``validation_metric: "+main_score"``) whatever the task."""
        metrics = self.task_metrics(reset)
        name, sign = self.main_metric
        if name in metrics:
            metrics["main_score"] = sign * metrics[name]
        return metrics

    def task_metrics(self, reset: bool = False) -> Dict[str, float]:
        raise NotImplementedError

    def make_output_human_readable(self, output_dict: Dict[str, Any]) -> Dict[str, Any]:
        return output_dict

    # -- training-label statistics ----------------------------------------------------------------------------------
    @property
    def needs_statistics(self) -> bool:
        """Whether ``set_statistics`` changes this head (class weights or target scaling in use)."""
        return False

    def label_statistics(self, labels: Sequence[Field]) -> torch.Tensor:
        """A summable tensor of what the head needs from the training labels (empty if nothing)."""
        return torch.zeros(0, dtype=torch.float64)

    def set_statistics(self, statistics: torch.Tensor) -> None:
        self.mark_fitted()

    def check_fitted(self) -> None:
        """Warn once when training starts without fitted statistics that the head would use."""
        if self.training and self.needs_statistics and not self.fitted and not self._warned_unfitted:
            self._warned_unfitted = True
            logger.warning("%s: training without statistics of the training labels (no `fit_to_data` trainer "
                           "callback in the config?): %s", type(self).__name__, self.unfitted_consequence())

    def unfitted_consequence(self) -> str:
        return "nothing changes"

    def update_metrics(self, scores: torch.Tensor, label: torch.Tensor,
                       metadata: Optional[Sequence[Dict[str, Any]]] = None) -> None:
        """Feed the metrics with final ``scores`` (class probabilities, or predictions in the target's units)."""
        raise NotImplementedError

    @staticmethod
    def check_labels(names: Sequence[str], namespace: str) -> None:
        if not names:
            raise ValueError(f"the vocabulary has no labels in namespace {namespace!r}: the training data "
                             "(train_data_path) had no labeled record -- every training record needs its label "
                             "(multimodal_jsonl: `label`; ad_lp: `conversion_rate`)")

    @staticmethod
    def label_names(vocab: Vocabulary, namespace: str) -> List[str]:
        return [vocab.get_token_from_index(i, namespace) for i in range(vocab.get_vocab_size(namespace))]


def label_counts(labels: Iterable[Field], names: Sequence[str], of_field) -> torch.Tensor:
    """How many of ``labels`` carry each of ``names`` (``of_field(field)`` lists a field's label names)."""
    index = {name: i for i, name in enumerate(names)}
    counts = torch.zeros(len(names), dtype=torch.float64)
    for field in labels:
        for name in of_field(field):
            if name in index:
                counts[index[name]] += 1
    return counts
