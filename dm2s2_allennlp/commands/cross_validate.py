"""``allennlp cross-validate CONFIG -s OUT --folds 5``: k-fold cross-validation of one experiment config.

For every fold ``i`` the command sets ``fold: i`` in the config's ``dataset_reader`` (and
``validation_dataset_reader``, if the config has one) -- the one way a fold is chosen -- and runs ``allennlp train``
into ``OUT/fold_<i>/``. A reader without a ``fold`` parameter is a configuration error. The fold's result is the config's test evaluation (``test_*`` in the
fold's ``metrics.json``, which needs ``test_data_path`` + ``evaluate_on_test``); a config without a test set falls
back to ``best_validation_*``, with a warning that the same data then chose the epoch.

``OUT/metrics_cv.json`` holds, for every metric, the per-fold values, their mean and their sample standard deviation
(ddof = 1). Re-running the command resumes: a fold with a finished ``metrics.json`` and ``model.tar.gz`` is not
redone, a fold with training state is recovered (``--recover``), an empty or broken fold directory is retrained.
Also reachable as ``dm2s2 cross-validate``.
"""
import argparse
import json
import logging
import math
import os
from typing import Any, Dict, List, Optional

from allennlp.commands.subcommand import Subcommand
from allennlp.common import Params

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


def _fold_params(param_path: str, overrides: str, fold: int) -> Params:
    params = Params.from_file(param_path, overrides)
    for reader in ("dataset_reader", "validation_dataset_reader"):
        if reader in params:
            params[reader]["fold"] = fold
    return params


def cross_validate(param_path: str, serialization_dir: str, folds: int = 5, overrides: str = "",
                   include_package: Optional[List[str]] = None) -> Dict[str, Any]:
    from allennlp.commands.train import train_model

    os.makedirs(serialization_dir, exist_ok=True)
    per_fold = []
    for fold in range(folds):
        fold_dir = os.path.join(serialization_dir, f"fold_{fold}")
        metrics = _finished(fold_dir)
        if metrics is None:
            params = _fold_params(param_path, overrides, fold)
            has_state = os.path.isdir(fold_dir) and any(
                name.startswith(("model_state", "training_state")) for name in os.listdir(fold_dir))
            if has_state:
                logger.info("fold %d: recovering the unfinished run in %s", fold, fold_dir)
            else:
                logger.info("fold %d: training into %s", fold, fold_dir)
            train_model(params, fold_dir, recover=has_state, force=not has_state, include_package=include_package)
            metrics = _finished(fold_dir)
            if metrics is None:
                raise RuntimeError(f"fold {fold} finished without metrics.json and model.tar.gz in {fold_dir}")
        else:
            logger.info("fold %d: already finished in %s, not redone", fold, fold_dir)
        per_fold.append(fold_result(metrics))
    result = {"config": param_path, "folds": folds, "metrics": aggregate(per_fold)}
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
