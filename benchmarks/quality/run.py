"""The quality benchmark: every system on every real data set of ``real_data.py``, three seeds, one table.

    .venv/bin/python benchmarks/quality/run.py [--datasets films tweets ...] [--systems dm2s2 tfidf ...]
                                               [--seeds 13 14 15] [--out runs/quality] [--report-only]

Systems (all on the same splits, scored by the package's own task heads):
  * ``dm2s2``: the recommended recipe, ``experiments/quickstart/movies_dm2s2.jsonnet``, adapted to each data set only
    by the ``-o`` overrides a user writes: the data paths and the seeds, nothing else (the reader infers the
    modalities and the task, the model takes them from it, the epoch is chosen on ``main_score``); the test split is
    evaluated by this script on the trained archive, as ``allennlp evaluate`` does. Its runs also report the same
    trained model evaluated without its blend (``test_model_alone_*``; multi-label thresholds as tuned for the blend)
    and the blend's weights (``blend_weights``: the model's and each partner's, ``heads.lightgbm_blend.PARTS``);
  * ``dm2s2_frozen`` and its ablations ``..._intra_only``, ``..._inter_only``, ``..._encoder_only``: the recipe with
    the encoder frozen and no LightGBM blend (the paper's setting), with IntraMRA / InterMRA switched off (DM2S2
    Table 3's ablation order); ``..._encoder_only_cls``: the encoder only pooled by its [CLS] state instead of the
    mean of the modality tokens (the paper does not say how its encoder-only baseline pooled);
    ``..._scaled_dot`` and ``..._no_residual``: Table 5's similarity and Table 6's residual switches; ``dm2s2_no_mra``:
    the recipe itself (tuned top layers, blend) with both MRAs off;
  * every other model of the package through its quickstart config and the same overrides: ``dmms``,
    ``modality_attention_merger``, ``mmae``, ``concat_fusion``, ``encoder_only_modality_embeddings``;
  * ``lightgbm``: ``allennlp train-lightgbm`` on the recipe config (the package's Table 4 baseline);
  * ``tfidf``: scikit-learn TF-IDF + logistic / ridge regression (``tfidf.py``), the peer a user tries first;
  * ``autogluon_tabular`` and ``automm``: the peers a user who wants the best model picks, AutoGluon Tabular at
    ``best_quality`` with every model family and AutoGluon MultiModal on the same MiniLM (``peers.py``, run in their
    own virtualenv, ``make peers``; scored here by ``peer_scores.py``). Each gets ``--peer-time-limit`` seconds a
    data set (600); AutoMM runs on the single-label sets only (it has no multi-label problem type).

Each run's directory is ``OUT/<data set>/<system>/seed_<s>/`` (finished runs are not redone; delete them to
rerun); AllenNLP's logs go to ``train.log`` there. The frozen encoder's states are cached per data set in ``cache/``
beside ``OUT``: a system's first run fills what it needs, so times are shown for the first and for later seeds. The
table (Markdown) and every number (JSON) are written to ``OUT/results.md`` and ``OUT/results.json``.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from peer_scores import AUTOMM_EPOCHS, PEER_TIME_LIMIT, PEERS, run_peer  # noqa: E402
from real_data import SPECS, Spec, write  # noqa: E402

QUICKSTART = "experiments/quickstart/movies_{}.jsonnet"
# the recipe with a frozen encoder and no blend: the setting of the paper's Table 3 ablations
FROZEN = {"model.encoder.transformer.trainable_top_layers": 0, "model.blend_with_lightgbm": False,
          "trainer.optimizer": {"type": "adamw", "lr": 1e-3, "weight_decay": 0.01}}
NEURAL = {  # system -> (config, extra overrides)
    "dm2s2": ("dm2s2", {}),
    "dm2s2_frozen": ("dm2s2", FROZEN),
    "dm2s2_frozen_intra_only": ("dm2s2", {**FROZEN, "model.use_inter": False}),
    "dm2s2_frozen_inter_only": ("dm2s2", {**FROZEN, "model.use_intra": False}),
    "dm2s2_frozen_encoder_only": ("dm2s2", {**FROZEN, "model.use_intra": False, "model.use_inter": False}),
    "dm2s2_frozen_encoder_only_cls": ("dm2s2", {**FROZEN, "model.use_intra": False, "model.use_inter": False,
                                                "model.pooling": "cls"}),
    "dm2s2_frozen_scaled_dot": ("dm2s2", {**FROZEN, "model.similarity": "scaled_dot_product"}),  # Table 5
    "dm2s2_frozen_no_residual": ("dm2s2", {**FROZEN, "model.residual": False}),  # Table 6
    "dm2s2_no_mra": ("dm2s2", {"model.use_intra": False, "model.use_inter": False}),  # the recipe, encoder only
    "dmms": ("dmms", {}),
    "modality_attention_merger": ("modality_attention_merger", {}),
    "mmae": ("mmae", {}),
    "concat_fusion": ("concat_fusion", {}),
    "encoder_only_modality_embeddings": ("encoder_only_modality_embeddings", {}),
}
SYSTEMS = ["tfidf", "lightgbm"] + list(NEURAL) + ["autogluon_tabular", "automm"]  # the order they run in


def user_overrides(paths: Dict[str, str], seed: int) -> Dict:
    """What a user writes to point the recipe at their data (README, "Bring your own data"): paths and seeds."""
    return {"train_data_path": paths["train"], "validation_data_path": paths["dev"], "test_data_path": paths["test"],
            "random_seed": seed, "numpy_seed": seed, "pytorch_seed": seed}


def check_inferred(spec: Spec, out: Path) -> None:
    """The reader inferred the spec's modalities and task (what the run's config.json now states)."""
    reader = json.loads((out / "config.json").read_text())["dataset_reader"]
    if reader.get("modalities") != spec.modalities or reader.get("task") != spec.task:
        raise RuntimeError(f"{spec.name}: the reader inferred {reader.get('modalities')} / {reader.get('task')}, "
                           f"the spec says {spec.modalities} / {spec.task}")


def allennlp(args: List[str], log: Path, env: Dict[str, str]) -> float:
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as handle:
        result = subprocess.run([sys.executable, "-m", "dm2s2_allennlp", *args],
                                cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise RuntimeError(f"allennlp {' '.join(args[:2])} failed; see {log}")
    return round(time.perf_counter() - start, 1)


def run_one(spec: Spec, system: str, paths: Dict[str, str], seed: int, run: Path, cache: Path,
            variant: Dict = None, peer: Dict = None) -> Dict:
    run.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", DM2S2_CACHE_DIR=str(cache),
               PYTHONWARNINGS="ignore::FutureWarning")
    if system == "tfidf":
        from tfidf import run_tfidf

        metrics = run_tfidf(spec, paths, seed)
    elif system in PEERS:
        metrics = run_peer(spec, system, paths, seed, run, **(peer or {}))
    else:
        config, extra = NEURAL.get(system, ("dm2s2", {}))
        chosen = {key.split(":", 1)[-1]: value for key, value in (variant or {}).items()
                  if ":" not in key or key.split(":", 1)[0] == spec.task}
        overrides = {**user_overrides(paths, seed), **extra, **chosen}
        out = run / "allennlp"
        if system == "lightgbm":  # not the recipe: the LightGBM command evaluates the test split itself
            overrides["evaluate_on_test"] = True
            seconds = allennlp(["train-lightgbm", QUICKSTART.format(config), "-s", str(out), "-o",
                                json.dumps(overrides), "--force"], run / "train.log", env)
        else:
            seconds = allennlp(["train", QUICKSTART.format(config), "-s", str(out), "-o", json.dumps(overrides),
                                "--force"], run / "train.log", env)
        check_inferred(spec, out)
        metrics = json.loads((out / "metrics.json").read_text())
        metrics["train_seconds"] = seconds
        if system != "lightgbm":
            os.environ["DM2S2_CACHE_DIR"] = str(cache)  # the in-process evaluation reads the run's cache
            metrics.update(on_test(out / "model.tar.gz", paths["test"], alone=system == "dm2s2",
                                   scores_of={"dev": paths["dev"], "test": paths["test"]} if system == "dm2s2"
                                   else None, scores_file=run / "model_scores.npz"))
        for weights in list(out.glob("*.th")) + list(out.glob("model.tar.gz")):  # ~100 MB a run; the numbers stay
            weights.unlink()
    (run / "result.json").write_text(json.dumps(metrics, indent=1))
    return metrics


def on_test(archive_file: Path, test_path: str, alone: bool, scores_of: Dict[str, str] = None,
            scores_file: Path = None) -> Dict[str, float]:
    """The trained archive on the test data (``test_*``, as ``allennlp evaluate`` computes them) and, if ``alone``,
    the same model with its blend switched off (``test_model_alone_*``) and the blend's weights. With
    ``scores_of`` ({split: path}) the model's own scores (before any blend) on those splits are kept in
    ``scores_file`` (what ``partner_study.py`` blends other partners with, without training the model again)."""
    from allennlp.data.data_loaders import SimpleDataLoader
    from allennlp.models.archival import load_archive
    from allennlp.training.util import evaluate

    import dm2s2_allennlp  # noqa: F401  registers the package's parts, which loading an archive needs

    archive = load_archive(str(archive_file))
    instances = list(archive.validation_dataset_reader.read(test_path))

    def scores(prefix: str) -> Dict[str, float]:
        loader = SimpleDataLoader(instances, 64, vocab=archive.model.vocab)
        return {f"{prefix}{k}": v for k, v in evaluate(archive.model, loader, -1).items()}

    metrics = scores("test_")
    blend = archive.model.head.blend
    if alone and blend is not None:
        weights = blend.weights
        blend.weights = (1.0,) + (0.0,) * (len(weights) - 1)  # the model alone
        metrics.update({"blend_weights": list(weights), **{k: v for k, v in scores("test_model_alone_").items()
                                                   if k != "test_model_alone_loss"}})
    if scores_of:
        import numpy as np

        def own_scores(path: str) -> np.ndarray:
            records = list(archive.validation_dataset_reader.read(path))
            return np.stack([o["scores"] for start in range(0, len(records), 64)
                             for o in archive.model.forward_on_instances(records[start:start + 64])])

        own = {split: own_scores(path) for split, path in scores_of.items()}
        np.savez_compressed(scores_file, **own)
    return metrics


def blend_weights(result: Dict) -> str:
    """A run's blend weights as model / LightGBM / LightGBM with text statistics / linear (0.7's runs: LightGBM's
    one weight)."""
    if "blend_weights" in result:
        return "/".join(f"{w:.2f}" for w in result["blend_weights"])
    return f"{1 - result['blend_weight']:.2f}/{result['blend_weight']:.2f}" if "blend_weight" in result else "-"


def mean_std(values: List[float]) -> str:
    if not values:
        return "-"
    mean = statistics.mean(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{mean:.4f} ± {std:.4f}"


def table(results: Dict, datasets: List[str], systems: List[str], seeds_asked: int) -> str:
    lines = []
    for name in datasets:
        spec = SPECS[name]
        lines += [f"\n### {name} ({spec.task}; {spec.description}; test split of {spec.sizes[2]})\n",
                  "| system | " + " | ".join(spec.main) + " | train s (first; later) |",
                  "|---|" + "---:|" * (len(spec.main) + 1)]
        for system in systems:
            runs = results.get(name, {}).get(system, [])
            if not runs:
                continue
            cells = [mean_std([r[f"test_{m}"] for r in runs if f"test_{m}" in r]) for m in spec.main]
            times = [r["train_seconds"] for r in runs]
            later = f"; {statistics.mean(times[1:]):.0f}" if len(times) > 1 else ""
            seeds = "" if len(runs) >= seeds_asked else f" ({len(runs)} seed{'s' if len(runs) > 1 else ''})"
            lines.append(f"| {system}{seeds} | " + " | ".join(cells) + f" | {times[0]:.0f}{later} |")
            if any("blend_weight" in r or "blend_weights" in r for r in runs):
                alone = [mean_std([r[f"test_model_alone_{m}"] for r in runs if f"test_model_alone_{m}" in r])
                         for m in spec.main]
                weights = "; ".join(blend_weights(r) for r in runs)
                lines.append(f"| {system}, model alone (blend weights {weights}) | " + " | ".join(alone) + " | - |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=list(SPECS), choices=list(SPECS))
    parser.add_argument("--systems", nargs="+", default=SYSTEMS, choices=SYSTEMS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[13, 14, 15])
    parser.add_argument("--out", default=str(ROOT / "runs" / "quality"))
    parser.add_argument("--extra", default="{}", help="JSON overrides added to every neural system's, to try a "
                        "variant (runs go to --out); a key 'TASK:key' applies to that task's data sets only")
    parser.add_argument("--peer-time-limit", type=float, default=PEER_TIME_LIMIT,
                        help="seconds each AutoGluon peer may take on one data set")
    parser.add_argument("--automm-epochs", type=int, default=AUTOMM_EPOCHS)
    parser.add_argument("--report-only", action="store_true",
                        help="train nothing: write the table of the runs already in --out (a system with fewer "
                             "seeds than asked says how many it has)")
    args = parser.parse_args()
    extra = json.loads(args.extra)
    out = Path(args.out)
    results: Dict = {}
    paths = {name: write(SPECS[name], out / "data" / name) for name in args.datasets}
    machine = f"{platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}"
    for system in args.systems:  # system by system, so the first systems cover every data set early
        for name in args.datasets:
            spec = SPECS[name]
            if system == "automm" and spec.task == "multilabel":
                continue  # AutoMM has no multi-label problem type
            for seed in args.seeds:
                run = out / name / system / f"seed_{seed}"
                if (run / "result.json").exists():
                    metrics = json.loads((run / "result.json").read_text())
                elif args.report_only:
                    continue
                else:
                    print(f"{name} / {system} / seed {seed} ...", end=" ", flush=True)
                    metrics = run_one(spec, system, paths[name], seed, run, out.parent / "cache" / name, extra,
                                      {"time_limit": args.peer_time_limit, "epochs": args.automm_epochs})
                    print(f"{metrics['train_seconds']} s; " + ", ".join(
                        f"{m} {metrics.get('test_' + m, float('nan')):.4f}" for m in spec.main), flush=True)
                results.setdefault(name, {}).setdefault(system, []).append(metrics)
        write_results(out, machine, args, results)
    print((out / "results.md").read_text())


def write_results(out: Path, machine: str, args, results: Dict) -> None:
    text = f"Machine: {machine}; seeds {args.seeds}; mean ± std over the seeds.\n" + table(
        results, args.datasets, args.systems, len(args.seeds))
    (out / "results.md").write_text(text)
    (out / "results.json").write_text(json.dumps({"machine": machine, "seeds": args.seeds, "results": results},
                                                 indent=1))


if __name__ == "__main__":
    main()
