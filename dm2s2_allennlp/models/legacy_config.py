"""Reading model configs in the flat layout of the first releases (before the model was split into encoder, fusion
and task head), so that their archives still load and predict the same.

A flat config put every setting on the model (``task``, ``transformer_model_name``, ``max_length``,
``cache_encoder_states``, ``class_weighting``, ``mlp_hidden_dims``, ...). ``upgrade`` moves them into the current
layout, logs what it did and how to write the config now, and reads regression targets unscaled (those models were
trained on raw targets). The state dict of such an archive has the class weights at ``class_weights``; the model's
``upgrade_state_dict`` hook moves them to ``head.class_weights``.
"""
import json
import logging
from typing import Any, Dict

from allennlp.common import Params

from dm2s2_allennlp.encoders.names import EMBEDDED_ENCODER

logger = logging.getLogger(__name__)

ENCODER_KEYS = {"transformer_model_name": "model_name", "train_parameters": "train_parameters",
                "max_length": "max_length", "load_weights": "load_weights", "encoder_autocast": "autocast"}
CACHE_KEYS = {"cache_directory": "directory", "cache_dtype": "dtype", "cache_memory_gb": "memory_gb",
              "cache_on_disk": "on_disk"}
HEAD_KEYS = {"multilabel": ("class_weighting", "threshold", "label_counts", "label_namespace"),
             "classification": ("class_weighting", "positive_label", "label_counts", "label_namespace"),
             "regression": ("auc_threshold", "label_namespace")}
ALL_HEAD_KEYS = {"task", "class_weighting", "threshold", "label_counts", "label_namespace", "positive_label",
                 "auc_threshold"}
MLP_KEYS = {"mlp_hidden_dims": "hidden_dims", "mlp_activation": "activation", "mlp_dropout": "dropout"}
FLAT_KEYS = set(ENCODER_KEYS) | set(CACHE_KEYS) | {"cache_encoder_states"} | ALL_HEAD_KEYS | set(MLP_KEYS)


def is_flat(params: Params) -> bool:
    return "encoder" not in params and "head" not in params and any(key in params for key in FLAT_KEYS)


def upgrade(params: Params, defaults: Dict[str, Any]) -> Params:
    """The current layout of a flat model config (unchanged if it is not flat). ``defaults`` are the flat
    defaults of the model type that differ from the common ones (DMMS: ``class_weighting: inverse_sqrt``)."""
    if not is_flat(params):
        return params
    flat = {**defaults, **params.as_dict(quiet=True)}
    encoder: Dict[str, Any] = {new: flat.pop(old) for old, new in ENCODER_KEYS.items() if old in flat}
    if "model_name" not in encoder:
        encoder["model_name"] = EMBEDDED_ENCODER  # the flat layout's default encoder
    cache_on = flat.pop("cache_encoder_states", True)
    cache = {new: flat.pop(old) for old, new in CACHE_KEYS.items() if old in flat}
    encoder["cache"] = cache if cache_on else None
    task = flat.pop("task", "multilabel")
    head: Dict[str, Any] = {"type": task}
    head.update({key: flat[key] for key in HEAD_KEYS.get(task, ()) if key in flat})
    if task == "regression":
        head["standardize_targets"] = False
    for key in ALL_HEAD_KEYS:
        flat.pop(key, None)
    mlp = {new: flat.pop(old) for old, new in MLP_KEYS.items() if old in flat}
    upgraded = {**flat, "encoder": encoder, "head": head}
    if mlp:
        upgraded["mlp"] = mlp
    logger.warning("model config in the flat layout of earlier releases; read as %s. Write `encoder`, `head` and "
                   "`mlp` objects like these in new configs.", json.dumps({k: upgraded[k] for k in
                                                                           ("encoder", "head", "mlp") if k in upgraded}))
    return Params(upgraded)


def upgrade_state_dict(state_dict: Dict[str, Any], prefix: str, head_has_class_weights: bool) -> None:
    """A flat-layout model's ``class_weights`` buffer is now the head's (a regression head has none)."""
    old = prefix + "class_weights"
    if old not in state_dict:
        return
    weights = state_dict.pop(old)
    if head_has_class_weights and prefix + "head.class_weights" not in state_dict:
        state_dict[prefix + "head.class_weights"] = weights
        state_dict.setdefault(prefix + "head.statistics_fitted", weights.new_ones((), dtype=bool))
