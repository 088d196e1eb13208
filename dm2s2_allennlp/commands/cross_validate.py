"""``allennlp cross-validate CONFIG -s OUT --folds 5``: k-fold cross-validation of one experiment config.

For every fold ``i`` the command sets ``folds: k`` and ``fold: i`` in the config's ``dataset_reader`` (and
``validation_dataset_reader``, if the config has one) -- so the reader splits into exactly the k folds that are
held out in turn -- and runs ``allennlp train`` into ``OUT/fold_<i>/``. Refused before any training, with a message
that says why: a reader without ``folds`` and ``fold`` parameters (e.g. ``multimodal_jsonl``), k < 2, k larger
than the number of records, and a k that leaves a fold nothing to train on. The fold's result is the config's test evaluation (``test_*`` in the
fold's ``metrics.json``, which needs ``test_data_path`` + ``evaluate_on_test``); a config without a test set falls
back to ``best_validation_*``, with a warning that the same data then chose the epoch.

``OUT/metrics_cv.json`` holds k, every fold's size (the records it holds out: its test part, or its validation part
without a test set) and, for every metric, the per-fold values, their mean and their sample standard deviation
(ddof = 1). Re-running the command resumes: a fold with a finished ``metrics.json`` and ``model.tar.gz`` is not
redone, a fold with training state is recovered (``--recover``), an empty or broken fold directory is retrained.
Also reachable as ``dm2s2 cross-validate``.
"""
import argparse
import inspect
import json
import logging
import math
import os
from typing import Any, Dict, List, Optional, Tuple

from allennlp.commands.subcommand import Subcommand
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import DatasetReader

from dm2s2_allennlp.errors import DataError
from dm2s2_allennlp.training.settled_train import load_params, train_settled

logger = logging.getLogger(__name__)


def fold_result(metrics: Dict[str, Any]) -> Dict[str, float]:
    """The numbers a fold contributes: its ``test_*`` metrics, else its ``best_validation_*`` ones."""
    for prefix in ("test_", "best_validation_"):
        chosen = {k[len(prefix):]: float(v) for k, v in metrics.items()
                  if k.startswith(prefix) and isinstance(v, (int, float)) and not isinstance(v, bool)}
        if chosen:
            if prefix == "best_validation_":
                logger.warning("no test metrics in this fold; using best_validation_* (the epoch was chosen on the "
                               "same data, so these are optimistic)")
            return chosen
    raise ValueError("the fold's metrics.json has neither test_* nor best_validation_* metrics")


def mean_std(values: List[float]) -> Dict[str, float]:
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    return {"mean": mean, "std": std}


def aggregate(per_fold: List[Dict[str, float]]) -> Dict[str, Dict[str, Any]]:
    names = sorted(set.intersection(*(set(f) for f in per_fold)))
    return {name: {"folds": [f[name] for f in per_fold], **mean_std([f[name] for f in per_fold])}
            for name in names}


def _finished(fold_dir: str) -> Optional[Dict[str, Any]]:
    metrics_file = os.path.join(fold_dir, "metrics.json")
    if os.path.exists(metrics_file) and os.path.exists(os.path.join(fold_dir, "model.tar.gz")):
        with open(metrics_file, encoding="utf-8") as handle:
            return json.load(handle)
    return None


def _fold_params(param_path: str, overrides: str, folds: int, fold: Optional[int]) -> Params:
    params = load_params(param_path, overrides)
    for reader in ("dataset_reader", "validation_dataset_reader"):
        if reader in params:
            params[reader]["folds"], params[reader]["fold"] = folds, fold
    return params


def _count(params: Params, path_key: str) -> int:
    reader = DatasetReader.from_params(params["dataset_reader"].duplicate())
    return sum(1 for _ in reader.read(params[path_key]))


def fold_plan(param_path: str, overrides: str, folds: int) -> Tuple[List[Params], List[int]]:
    """Each fold's training config and the number of records it holds out; a ``ConfigurationError`` naming the
    problem for a reader without folds, k < 2 or k larger than the data."""
    if folds < 2:
        raise ConfigurationError(f"--folds must be at least 2 (one fold to hold out, the rest to train on), got {folds}")
    base = load_params(param_path, overrides)
    reader_type = base["dataset_reader"].get("type", DatasetReader.default_implementation)
    accepted = inspect.signature(DatasetReader.by_name(reader_type).__init__).parameters
    if not {"folds", "fold"} <= set(accepted):
        raise ConfigurationError(f"cross-validate needs a dataset reader that splits its data into folds (`folds` and "
                                 f"`fold` parameters, as ads_parallelity has); {reader_type!r} has none: split the "
                                 "data into files and train on each, or use a reader with folds")
    total = _count(_fold_params(param_path, overrides, folds, None), "train_data_path")
    if folds > total:
        raise ConfigurationError(f"--folds {folds} is more than the {total} records of {base['train_data_path']}")
    plans = [_fold_params(param_path, overrides, folds, fold) for fold in range(folds)]
    try:
        _count(plans[0], "train_data_path")
    except DataError:
        raise ConfigurationError(f"with --folds {folds} the training part of a fold ({base['train_data_path']}) is "
                                 "empty: this config holds out a test fold and a validation fold, so it needs "
                                 "--folds 3 or more") from None
    held_out = "test_data_path" if "test_data_path" in base else "validation_data_path"
    return plans, [_count(params, held_out) for params in plans]


def cross_validate(param_path: str, serialization_dir: str, folds: int = 5, overrides: str = "",
                   include_package: Optional[List[str]] = None) -> Dict[str, Any]:
    plans, sizes = fold_plan(param_path, overrides, folds)
    os.makedirs(serialization_dir, exist_ok=True)
    per_fold = []
    for fold, params in enumerate(plans):
        fold_dir = os.path.join(serialization_dir, f"fold_{fold}")
        metrics = _finished(fold_dir)
        if metrics is None:
            has_state = os.path.isdir(fold_dir) and any(
                name.startswith(("model_state", "training_state")) for name in os.listdir(fold_dir))
            if has_state:
                logger.info("fold %d: recovering the unfinished run in %s", fold, fold_dir)
            else:
                logger.info("fold %d: training into %s", fold, fold_dir)
            train_settled(params, fold_dir, recover=has_state, force=not has_state, include_package=include_package)
            metrics = _finished(fold_dir)
            if metrics is None:
                raise RuntimeError(f"fold {fold} finished without metrics.json and model.tar.gz in {fold_dir}")
        else:
            logger.info("fold %d: already finished in %s, not redone", fold, fold_dir)
        per_fold.append(fold_result(metrics))
    result = {"config": param_path, "folds": folds, "fold_sizes": sizes, "metrics": aggregate(per_fold)}
    with open(os.path.join(serialization_dir, "metrics_cv.json"), "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)
    return result


@Subcommand.register("cross-validate")
class CrossValidate(Subcommand):
    def add_subparser(self, parser: argparse._SubParsersAction) -> argparse.ArgumentParser:
        description = "Train and evaluate a config on each of k folds; write OUT/metrics_cv.json (mean ± std)."
        subparser = parser.add_parser(self.name, description=description, help=description)
        subparser.add_argument("param_path", help="the experiment config")
        subparser.add_argument("-s", "--serialization-dir", required=True, help="OUT: fold_<i>/ go here")
        subparser.add_argument("--folds", type=int, default=5)
        subparser.add_argument("-o", "--overrides", default="", help="a JSON(NET) string of overrides")
        subparser.set_defaults(func=self.run)
        return subparser

    @staticmethod
    def run(args: argparse.Namespace) -> None:
        result = cross_validate(args.param_path, args.serialization_dir, args.folds, args.overrides,
                                getattr(args, "include_package", None))
        for name, value in result["metrics"].items():
            print(f"{name}: {value['mean']:.4f} ± {value['std']:.4f}")
