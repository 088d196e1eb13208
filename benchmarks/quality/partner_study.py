"""Which tabular partner should the recipe's blend have? Issue 36's third part, studied without training the network
again: a recipe run of ``run.py`` keeps the model's own scores on the validation and test splits
(``model_scores.npz``); here each candidate partner is fitted to the same training records (the reader's rendered
modality texts, as ``stack_and_tune`` gives them), its blend weights with the model are chosen on the validation
split by the task's proper scoring loss (what ``heads.lightgbm_blend`` does), multi-label thresholds are tuned on the
blended validation scores, and the test split is scored by the package's head. Candidate ``words`` is the recipe's
own partner, so its line reproduces the run's ``test_*`` figures.

    .venv/bin/python benchmarks/quality/partner_study.py runs/recipe_amd [--datasets tweets ...] [--candidates ...]

Prints one line per data set, candidate and seed, and the mean of the seeds; writes ``partner_study.json`` in the
runs' folder.
"""
import argparse
import itertools
import json
import statistics
import sys
from pathlib import Path
from typing import Callable, Dict, List

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from real_data import SPECS  # noqa: E402

from dm2s2_allennlp.gbm.linear import record_losses  # noqa: E402



def read_runs(run: Path):
    """The reader of the run's config on its train/dev/test files: texts and targets in the model's label order."""
    from allennlp.common import Params
    from allennlp.data import DatasetReader, Vocabulary

    import dm2s2_allennlp  # noqa: F401
    from dm2s2_allennlp.gbm import label_targets
    from dm2s2_allennlp.heads import TaskHead

    config = json.loads((run / "allennlp" / "config.json").read_text())
    task = config["dataset_reader"]["task"]
    reader = DatasetReader.from_params(Params(json.loads(json.dumps(config["dataset_reader"]))))
    vocab = Vocabulary.from_files(str(run / "allennlp" / "vocabulary"))
    head = TaskHead.by_name(task)(vocab).eval()
    names = getattr(head, "names", [])
    data = {}
    for split, key in (("train", "train_data_path"), ("dev", "validation_data_path"), ("test", "test_data_path")):
        instances = [i for i in reader.read(config[key])]
        data[split] = ([i["metadata"]["modality_texts"] for i in instances], label_targets(instances, names))
    return task, head, data


# -- candidate partners: (task, num_outputs, data, seed) -> {"dev": scores, "test": scores} -------------------------
def lightgbm_partner(statistics_too: bool, text_only: bool = False, **boost) -> Callable:
    """LightGBM on ``gbm.features`` (with the statistics of every non-numeric modality when ``statistics_too``; of
    the modalities of mostly distinct values only, AutoGluon's "text" columns, when ``text_only``)."""
    def fit(task, num_outputs, data, seed):
        from scipy import sparse

        from dm2s2_allennlp.gbm import RecordFeatures, fit_lightgbm, predict_with
        from dm2s2_allennlp.gbm.text_statistics import text_statistics

        (train_texts, train_y), (dev_texts, dev_y) = data["train"], data["dev"]
        features = RecordFeatures(list(train_texts[0]), 4096, statistics_too and not text_only).fit(train_texts)
        described = [m for m in features.modalities if m not in features.numeric
                     and len({t.get(m) for t in train_texts}) > 0.2 * len(train_texts)]

        def matrix(texts):
            x = features.transform(texts)
            if statistics_too and text_only:
                x = sparse.hstack([x, sparse.csr_matrix(text_statistics(texts, described))]).tocsr()
            return x.astype(np.float32)

        boosters = fit_lightgbm(task, num_outputs, matrix(train_texts), train_y, matrix(dev_texts), dev_y, 13,
                                **boost)  # the recipe's blend seeds its LightGBM with 13 whatever the run's seed
        return {split: predict_with(task, boosters, matrix(data[split][0])) for split in ("dev", "test")}
    return fit


def linear_partner(task, num_outputs, data, seed):
    """The package's ``gbm.linear`` (TF-IDF words and characters + numbers; logistic or ridge regression)."""
    from dm2s2_allennlp.gbm import RecordFeatures
    from dm2s2_allennlp.gbm.linear import LinearModel

    (train_texts, train_y), (dev_texts, dev_y) = data["train"], data["dev"]
    numeric = RecordFeatures(list(train_texts[0])).fit(train_texts).numeric
    model = LinearModel(task, numeric).fit(train_texts, train_y, dev_texts, dev_y, num_outputs, 13)
    return {split: model.predict(data[split][0]) for split in ("dev", "test")}


PARTNERS = {
    "lightgbm_words": lightgbm_partner(False),  # the recipe's partner today
    "lightgbm_words_statistics": lightgbm_partner(True),
    "lightgbm_words_text_statistics": lightgbm_partner(True, text_only=True),
    "lightgbm_slow_words_statistics": lightgbm_partner(True, rounds=4000, early_stopping_rounds=150,
                                                       extra={"learning_rate": 0.02}),
    "linear": linear_partner,
}
CANDIDATES = {  # the partners blended with the model, each with its own weight
    "words": ["lightgbm_words"],
    "words+stats": ["lightgbm_words_statistics"],
    "words+textstats": ["lightgbm_words_text_statistics"],
    "words+linear": ["lightgbm_words", "linear"],
    "words+stats+linear": ["lightgbm_words_statistics", "linear"],
    "slow_words+stats+linear": ["lightgbm_slow_words_statistics", "linear"],
    "words+textstats+linear": ["lightgbm_words_text_statistics", "linear"],
    "words|textstats+linear": ["lightgbm_words", "lightgbm_words_text_statistics", "linear"],
    "words|stats+linear": ["lightgbm_words", "lightgbm_words_statistics", "linear"],
}


def blend(task: str, model: Dict[str, np.ndarray], partners: List[Dict[str, np.ndarray]], dev_gold: np.ndarray,
          step: float = 0.05, folds: int = 5):
    """Weights (model first) on the simplex grid of ``step`` with the lowest validation loss, and the blended scores;
    also the loss of that choice cross-validated on the validation records (weights chosen on ``folds - 1`` folds,
    the loss taken on the fold left out): what the choice is worth on records it was not made on."""
    parts = [model] + partners
    shape = model["dev"].shape
    ticks = int(round(1 / step))
    grid = [[(ticks - sum(c)) / ticks] + [x / ticks for x in c]
            for c in itertools.product(range(ticks + 1), repeat=len(parts) - 1) if sum(c) <= ticks]
    losses = np.stack([record_losses(task, sum(w * np.asarray(p["dev"]).reshape(shape) for w, p in zip(weights, parts)),
                                     dev_gold) for weights in grid])  # (weights, records)
    weights = grid[int(np.argmin(losses.mean(1)))]
    fold_of = np.random.RandomState(0).permutation(losses.shape[1]) % folds
    held_out = sum(losses[int(np.argmin(losses[:, fold_of != k].mean(1))), fold_of == k].sum() for k in range(folds))
    blended = {split: sum(w * np.asarray(p[split]).reshape(model[split].shape) for w, p in zip(weights, parts))
               for split in ("dev", "test")}
    return float(losses.mean(1).min()), float(held_out / losses.shape[1]), weights, blended


def test_metrics(task: str, head, blended: Dict[str, np.ndarray], data) -> Dict[str, float]:
    from dm2s2_allennlp.heads.thresholds import tune_thresholds

    if task == "multilabel":  # the recipe's per_task options
        head.at_least_one = True
        head.set_thresholds(tune_thresholds(torch.tensor(blended["dev"]), torch.tensor(data["dev"][1]),
                                            objective="f1_micro"))
    head.update_metrics(torch.tensor(blended["test"], dtype=torch.float32), torch.tensor(data["test"][1]))
    return head.get_metrics(reset=True)


def report(results: Dict, datasets: List[str], candidates: List[str]) -> str:
    """Per candidate: each set's cross-validated validation loss relative to today's partner (``words``), and its
    test main metric (mean ± std over the seeds)."""
    def mean_std(values):
        return f"{statistics.mean(values):.4f} ± {statistics.stdev(values) if len(values) > 1 else 0:.4f}"

    sets = [name for name in datasets if name in results]
    lines = ["| partners | " + " | ".join(f"{n} ({SPECS[n].main[0]})" for n in sets) + " | mean validation loss |",
             "|---|" + "---:|" * (len(sets) + 1)]
    for candidate in candidates:
        cells, relative = [], []
        for name in sets:
            runs = results[name].get(candidate, {})
            if not runs:
                cells.append("-")
                continue
            base = statistics.mean(r["cross_validated_dev_loss"] for r in results[name]["words"].values())
            loss = statistics.mean(r["cross_validated_dev_loss"] for r in runs.values())
            relative.append(100 * (loss / base - 1))
            cells.append(f"{mean_std([r[SPECS[name].main[0]] for r in runs.values()])} ({relative[-1]:+.1f}%)")
        mean = f"{statistics.mean(relative):+.2f}%" if relative else "-"
        lines.append(f"| {candidate} | " + " | ".join(cells) + f" | {mean} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs")
    parser.add_argument("--datasets", nargs="+", default=list(SPECS), choices=list(SPECS))
    parser.add_argument("--candidates", nargs="+", default=list(CANDIDATES), choices=list(CANDIDATES))
    parser.add_argument("--system", default="dm2s2")
    parser.add_argument("--report", action="store_true", help="fit nothing: the table of partner_study.json")
    args = parser.parse_args()
    out = Path(args.runs)
    results = json.loads((out / "partner_study.json").read_text()) if (out / "partner_study.json").exists() else {}
    if args.report:
        print(report(results, args.datasets, args.candidates))
        return
    for name in args.datasets:
        spec = SPECS[name]
        seeds = sorted((out / name / args.system).glob("seed_*/model_scores.npz"))
        if not seeds:
            continue
        task, head, data = read_runs(seeds[0].parent)
        main_metric = spec.main[0]
        fitted: Dict = {}  # (partner, seed) -> its dev/test scores, shared by the candidates
        for candidate in args.candidates:
            values, dev_losses, cv_losses = [], [], []
            for scores_file in seeds:
                seed = int(scores_file.parent.name.split("_")[1])
                own = dict(np.load(scores_file))
                for partner in CANDIDATES[candidate]:
                    if (partner, seed) not in fitted:
                        fitted[partner, seed] = PARTNERS[partner](task, head.num_outputs, data, seed)
                partners = [fitted[partner, seed] for partner in CANDIDATES[candidate]]
                dev_loss, cv_loss, weights, blended = blend(task, own, partners, data["dev"][1])
                dev_losses.append(dev_loss)
                cv_losses.append(cv_loss)
                metrics = test_metrics(task, head, blended, data)
                values.append(metrics[main_metric])
                run_result = json.loads((scores_file.parent / "result.json").read_text())
                results.setdefault(name, {}).setdefault(candidate, {})[str(seed)] = {
                    "weights": weights, "dev_loss": dev_loss, "cross_validated_dev_loss": cv_loss,
                    **{m: metrics[m] for m in spec.main if m in metrics}}
                print(f"{name} {candidate} seed {seed}: weights {[round(w, 2) for w in weights]} "
                      f"{main_metric} {metrics[main_metric]:.4f} (run: {run_result.get('test_' + main_metric, 0):.4f})",
                      flush=True)
            print(f"== {name} {candidate}: validation loss {statistics.mean(dev_losses):.4f}, cross-validated "
                  f"{statistics.mean(cv_losses):.4f}; test {main_metric} "
                  f"{statistics.mean(values):.4f} ± {statistics.stdev(values) if len(values) > 1 else 0:.4f}",
                  flush=True)
            (out / "partner_study.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
