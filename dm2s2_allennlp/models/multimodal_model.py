"""``MultimodalModel``: what every model of this package is -- a thin composition of three parts,

    encoder (``encoders.MultimodalEncoder``)  ->  fusion (the model class)  ->  task head (``heads.TaskHead``)

The encoder turns the reader's per-modality token ids into hidden states (DM2S2's unified sequence, or each modality
on its own), the fusion -- the only thing a model class adds, its ``fuse`` method -- turns them into
``head.num_outputs`` logits (through its prediction MLP, one ``mlp`` config object), and the head turns those into
the task's prediction, loss, metrics and readable output. ``forward`` lives here, once.

Config (every model)::

    model: {type: "dm2s2",
            encoder: {type: "cached", transformer: {type: "pretrained_transformer", trainable_top_layers: 2}},
            head: {type: "per_task", multilabel: {class_weighting: "inverse"}},
            mlp: {hidden_dims: [256], activation: "relu", dropout: 0.1},
            ... the model's own switches}

The data's facts are the reader's (``dataset_readers.reader_facts``): the model takes the modalities (names and
order), the task (which head) and the encoder's name and max_length from the vocabulary the reader's instances
built. A config may still state them (``modalities: [...]``, ``head: {type: "regression"}``, the encoder's
``model_name``): they are then checked, and one that disagrees with the reader is a ``ConfigurationError`` naming
both.
"""
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data import Instance, TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.nn import InitializerApplicator, RegularizerApplicator

from dm2s2_allennlp.encoders import MultimodalEncoder
from dm2s2_allennlp.errors import DataError
from dm2s2_allennlp.dataset_readers.reader_facts import stated_facts
from dm2s2_allennlp.heads import PerTaskHead, TaskHead
from dm2s2_allennlp.heads.per_task import check_task
from dm2s2_allennlp.models.prediction_mlp import PredictionMlp
from dm2s2_allennlp.metrics.defined import defined_only
from dm2s2_allennlp.modules.numeric_features import NumericFeatures


@dataclass
class ModalityInputs:
    """A batch as the fusions see it: ``(batch, M, T)`` token ids and mask of every modality, and the ``(batch, M, 2)``
    numeric values (``modules.numeric_features``; ``None`` from readers that predate them)."""
    token_ids: torch.Tensor
    mask: torch.Tensor
    numbers: Optional[torch.Tensor] = None


@dataclass
class Fusion:
    """What a model's ``fuse`` returns: the logits, outputs to pass on (attention weights, ...), and optionally an
    auxiliary loss added to the task loss: ``loss = task_loss_weight * task loss + auxiliary_loss``."""
    logits: torch.Tensor
    outputs: Dict[str, Any] = field(default_factory=dict)
    auxiliary_loss: Optional[torch.Tensor] = None
    task_loss_weight: float = 1.0


class MultimodalModel(Model):
    """Parameters: ``modalities`` (the reader's names, in its order), ``encoder``, ``head``, ``blend_with_lightgbm``
    (false: stack LightGBM and a linear model onto the head's predictions, fitted by the ``stack_and_tune``
    callback, ``heads.lightgbm_blend``), ``check_finite_loss`` (true: training stops at the first batch whose loss is NaN or
    infinite, naming its records; one host read of the loss per step -- the one AllenNLP's trainer makes right after
    for its own NaN check, so no extra wait), ``initializer``, ``regularizer``; each model adds its fusion's (and
    usually ``mlp``)."""

    default_predictor = "dm2s2"

    def __init__(self, vocab: Vocabulary, encoder: MultimodalEncoder, modalities: Optional[List[str]] = None,
                 head: Optional[TaskHead] = None, blend_with_lightgbm: bool = False, check_finite_loss: bool = True,
                 initializer: Optional[InitializerApplicator] = None,
                 regularizer: Optional[RegularizerApplicator] = None) -> None:
        super().__init__(vocab, regularizer)
        facts = stated_facts(vocab)
        self.modalities = agreed_modalities(modalities, facts.get("modalities"))
        encoder.check_modalities(len(self.modalities))
        self.encoder = encoder
        self.head = head if head is not None else PerTaskHead.for_task(vocab)
        check_task(self.head, facts.get("task"))
        if blend_with_lightgbm:
            self.head.enable_blend()
        self.numeric: Optional[NumericFeatures] = None  # set by a model that reads the numeric values
        self._initializer = initializer
        self._warned_undefined: Set[str] = set()
        self.check_finite_loss = check_finite_loss
        self._batches = self._labeled_batches = 0  # since the metrics were last reset

    # -- what a model class uses ---------------------------------------------------------------------------------
    @property
    def hidden_dim(self) -> int:
        return self.encoder.get_output_dim()

    def prediction_mlp(self, spec: PredictionMlp, input_dim: int) -> torch.nn.Sequential:
        """The model's MLP to the head's outputs, its last layer initialised as the head wants."""
        mlp = spec.build(input_dim, self.head.num_outputs)
        self.head.initialize_output_layer(mlp[-1])
        return mlp

    def initialize(self) -> None:
        """Apply the config's ``initializer`` (if any); a model calls it once its own modules exist."""
        if self._initializer is not None:
            self._initializer(self)

    @staticmethod
    def checked(check, value):
        """``check(value)``, its ``ValueError`` turned into AllenNLP's ``ConfigurationError`` (a config mistake)."""
        try:
            return check(value)
        except ValueError as error:
            raise ConfigurationError(str(error)) from None

    def fuse(self, inputs: ModalityInputs) -> Fusion:
        """The model's own computation: the batch's modalities -> logits (and more)."""
        raise NotImplementedError

    # -- statistics of the training data (the `fit_to_data` callback) ---------------------------------------------
    def data_statistics(self, instances: Iterable[Instance]) -> Dict[str, torch.Tensor]:
        """Summable statistics of the training ``instances`` for every part that still needs them: the head's
        (class counts, target moments) and, where a model reads numbers, the numeric features' moments."""
        instances = list(instances)
        statistics = {}
        if self.head.needs_statistics and not self.head.fitted:
            statistics["head"] = self.head.label_statistics([i["label"] for i in instances if "label" in i])
        if self.numeric is not None and not self.numeric.fitted:
            present = torch.tensor([[i["metadata"]["modality_texts"].get(name) is not None for name in self.modalities]
                                    for i in instances])
            statistics["numeric"] = self.numeric.statistics(torch.stack([i["numbers"].tensor for i in instances]),
                                                            present)
        return statistics

    def set_data_statistics(self, statistics: Dict[str, torch.Tensor]) -> None:
        for name, value in statistics.items():
            getattr(self, name).set_statistics(value)

    def fusion_metrics(self, reset: bool = False) -> Dict[str, float]:
        """Metrics of the fusion itself (e.g. the merger's KL), next to the head's."""
        return {}

    # -- the one forward ------------------------------------------------------------------------------------------
    def check_batch_modalities(self, metadata: Optional[List[Dict[str, Any]]]) -> None:
        """The batch's modality names (the reader's, in its order) must be the model's."""
        names = metadata[0].get("modality_names") if metadata else None
        if names is not None and list(names) != self.modalities:
            raise ConfigurationError(f"the data's modalities {list(names)} are not the model's {self.modalities} "
                                     f"({disagreement(self.modalities, list(names))}): state the model's "
                                     "modalities in the reader's config (`dataset_reader.modalities`)")

    def modality_token_ids(self, modalities: TextFieldTensors) -> Tuple[torch.Tensor, torch.Tensor]:
        """The ``(batch, M, T)`` token ids and mask of the reader's ``modalities`` field, checked against ``M``."""
        tokens = modalities["tokens"]
        token_ids, mask = tokens["token_ids"], tokens["mask"].bool()
        if token_ids.dim() != 3 or token_ids.size(1) != len(self.modalities):
            raise ConfigurationError(
                f"expected {len(self.modalities)} modalities {self.modalities} per instance, got token ids of shape "
                f"{tuple(token_ids.shape)}; the model's `modalities` must match the reader's"
            )
        return token_ids, mask

    def forward(  # type: ignore[override]
        self,
        modalities: TextFieldTensors,
        label: Optional[torch.Tensor] = None,
        metadata: Optional[List[Dict[str, Any]]] = None,
        numbers: Optional[torch.Tensor] = None,
    ) -> Dict[str, Any]:
        ids = [m.get("id") for m in metadata] if metadata else []
        if label is None and self.training:
            raise ConfigurationError(f"a training batch without labels (records {ids[:10]}): every training record "
                                     "needs its label (multimodal_jsonl: `label`; ad_lp: `conversion_rate`)")
        self._batches += 1
        self._labeled_batches += label is not None
        self.check_batch_modalities(metadata)
        fusion = self.fuse(ModalityInputs(*self.modality_token_ids(modalities), numbers))
        output: Dict[str, Any] = dict(self.head(fusion.logits, label, metadata))
        if "loss" in output and (fusion.auxiliary_loss is not None or fusion.task_loss_weight != 1.0):
            output["task_loss"] = output["loss"]
            auxiliary = fusion.auxiliary_loss if fusion.auxiliary_loss is not None else 0.0
            output["loss"] = fusion.task_loss_weight * output["loss"] + auxiliary
        if self.training and self.check_finite_loss and "loss" in output:
            self.stop_on_a_non_finite_loss(output["loss"], ids)
        output.update(fusion.outputs)
        if metadata is not None:  # the records' ids and kept word pieces, for explanations
            output["id"] = ids
            output["modality_tokens"] = [m["modality_tokens"] for m in metadata]
        return output

    @staticmethod
    def stop_on_a_non_finite_loss(loss: torch.Tensor, ids: List[Any]) -> None:
        if not torch.isfinite(loss.detach()):
            raise DataError("training", None, f"the training loss is {float(loss.detach())} on the batch with records "
                                              f"{ids[:20]}: look for extreme values in these records' labels or "
                                              "numeric fields (or lower the learning rate)")

    def get_metrics(self, reset: bool = False) -> Dict[str, float]:
        """The head's and the fusion's metrics. A metric that is undefined on the data seen (an AUC or R@P95 without
        both classes, ...) is left out, with one warning per metric, so no NaN or infinity reaches metrics.json.
        Metrics asked for after batches none of which had a label (``allennlp evaluate`` on a prediction file) are
        an error that says so."""
        if self._batches and not self._labeled_batches:
            raise DataError("the evaluated data", "label", f"no record has a label ({self._batches} batch(es) seen), "
                            "so there is nothing to measure: evaluation compares predictions with labels; label the "
                            "records, or use `predict` for unlabeled ones")
        if reset:
            self._batches = self._labeled_batches = 0
        return defined_only({**self.head.get_metrics(reset), **self.fusion_metrics(reset)}, self._warned_undefined)

    def make_output_human_readable(self, output_dict: Dict[str, Any]) -> Dict[str, Any]:
        return self.head.make_output_human_readable(output_dict)



def disagreement(mine: List[str], theirs: List[str]) -> str:
    """How two lists of modality names differ, in words."""
    if sorted(mine) == sorted(theirs):
        return "the same names in another order"
    unknown, missing = [m for m in mine if m not in theirs], [m for m in theirs if m not in mine]
    return "; ".join(part for part in (f"{unknown} not among the reader's" if unknown else "",
                                       f"{missing} missing" if missing else "") if part)


def agreed_modalities(given: Optional[List[str]], stated: Optional[List[str]]) -> List[str]:
    """The model's modalities: the reader's (``stated``, from the vocabulary); ``given`` ones must equal them."""
    if stated is None:
        if not given:
            raise ConfigurationError("`modalities`: the vocabulary does not hold the reader's modalities (it was not "
                                     "built from this package's readers), so the model must list them, in the "
                                     "reader's order")
        return list(given)
    if given is not None and list(given) != stated:
        raise ConfigurationError(f"the model's `modalities` {list(given)} differ from the reader's {stated} "
                                 f"({disagreement(list(given), stated)}): leave `model.modalities` out and the model "
                                 "takes the reader's")
    return list(stated)
