"""CPU time to a model (issue 28): the recipe's ``allennlp train`` against the floor and the peers, measured one after
another in one run on the quality benchmark's data sets (``quality/real_data.py``); prints JSON and a Markdown table.

  * ``floor``: the frozen all-MiniLM-L6-v2's forward pass once over the training and validation records, the same
    unified sequences the recipe builds (its reader, its ``max_length``), in length-sorted batches of 32 (the least
    padding any batching can have), under ``torch.inference_mode``, with torch's threads as the recipe has them, in
    float32 (the ratios' denominator) and, on a CPU with bfloat16 instructions, also under bfloat16 autocast;
  * ``recipe``: ``allennlp train experiments/quickstart/movies_dm2s2.jsonnet`` given the data paths and the seed (an
    empty encoder-state cache), its wall time split by the benchmark-only ``train_parts`` callback
    (``timing/train_parts.py``) into start-up (process start to training start: imports, reading, vocabulary,
    model), the cache fill (epoch 0's training and validation minus a later epoch's), the training epochs, the
    validation passes, the post-training fitting (``stack_and_tune``: LightGBM blend, thresholds) and the end
    (best weights, archive);
  * the peers: ``allennlp train-lightgbm`` on the same config, and TF-IDF + a linear model (``quality/tfidf.py``);
  * the recipe's quality beside its time: the trained archive on the test split (``quality/run.py``'s ``on_test``,
    as ``allennlp evaluate`` computes it), so a change to the training path shows its cost and its effect in one run;
  * ``--two-jobs NAME``: the recipe on NAME alone and then twice at once (two processes, each its own cache), the
    slowdown of each.

The ``allennlp`` processes run with ``OMP_WAIT_POLICY=PASSIVE`` (what ``dm2s2`` and ``make`` set) unless the
environment gives another value.

    .venv/bin/python benchmarks/cpu_time_to_model.py [--datasets breaches loans artworks] [--seed 13]
        [--two-jobs films] [--out runs/cpu_time] [--extra '{"model.encoder.transformer.autocast": null}'] [--no-peers]

``--extra`` adds overrides to the recipe's, to measure a lever before it is the recipe's. Give every run its own
``--out``: the encoder-state cache lives there, and a cache an earlier run (or revision) filled skips the fill.
Nothing else may run on the machine meanwhile (2 cores: a second job changes every figure).
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
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "quality"))
sys.path.insert(0, str(ROOT))

from real_data import SPECS, write  # noqa: E402

RECIPE = ROOT / "experiments" / "quickstart" / "movies_dm2s2.jsonnet"
CALLBACKS = [{"type": "fit_to_data"}, {"type": "stack_and_tune"}, {"type": "train_parts"},
             {"type": "flush_encoder_cache"}]


def overrides(paths: Dict[str, str], seed: int) -> Dict:
    return {"train_data_path": paths["train"], "validation_data_path": paths["dev"], "test_data_path": paths["test"],
            "random_seed": seed, "numpy_seed": seed, "pytorch_seed": seed}


def floor_seconds(paths: Dict[str, str]) -> Dict[str, float]:
    """The frozen encoder's forward pass once over train + dev, length-sorted batches of 32, inference mode: in
    float32 (issue 28's floor, the ratios' denominator) and, on a CPU with bfloat16 instructions, under bfloat16
    autocast (the same pass at the precision the recipe's encoder runs in there). Each the faster of two passes."""
    import torch
    from allennlp.common import Params
    from allennlp.data import Batch, DatasetReader, Vocabulary
    from allennlp.models import Model

    import dm2s2_allennlp  # noqa: F401  registers the package's parts
    from dm2s2_allennlp.encoders.pretrained_transformer import native_cpu_bfloat16

    params = Params.from_file(str(RECIPE), json.dumps(overrides(paths, 13)))
    reader = DatasetReader.from_params(params.pop("dataset_reader"))
    instances = list(reader.read(paths["train"])) + list(reader.read(paths["dev"]))
    vocab = Vocabulary.from_instances(instances)
    model = Model.from_params(vocab=vocab, params=params.pop("model")).eval()
    transformer = model.encoder.transformer.transformer_model  # the Hugging Face model itself
    batch = Batch(instances)
    batch.index_instances(vocab)
    unified = model.encoder.unify(*model.modality_token_ids(batch.as_tensor_dict()["modalities"]))
    lengths = unified.attention_mask.sum(-1)
    order = torch.argsort(lengths, descending=True)
    batches = []
    for start in range(0, len(order), 32):
        rows = order[start:start + 32]
        width = int(lengths[rows].max())
        batches.append((unified.input_ids[rows, :width], unified.attention_mask[rows, :width].long()))

    def one_pass(dtype) -> float:
        seconds = 0.0
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=dtype is not None):
            transformer(input_ids=batches[0][0][:2], attention_mask=batches[0][1][:2])  # warm-up, not timed
            for ids, mask in batches:
                began = time.perf_counter()
                transformer(input_ids=ids, attention_mask=mask)
                seconds += time.perf_counter() - began
        return seconds

    floors = {"floor_s": round(min(one_pass(None) for _ in range(2)), 2)}
    if native_cpu_bfloat16():
        floors["floor_bfloat16_s"] = round(min(one_pass(torch.bfloat16) for _ in range(2)), 2)
    return {**floors, "records": len(instances), "real_tokens": int(lengths.sum()),
            "padded_tokens": sum(ids.numel() for ids, _ in batches), "threads": torch.get_num_threads()}


def allennlp(args: List[str], out: Path, cache: Path) -> subprocess.Popen:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", DM2S2_CACHE_DIR=str(cache),
               OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "PASSIVE"),  # as `dm2s2` and `make` set it
               PYTHONPATH=os.pathsep.join([str(HERE / "timing"), os.environ.get("PYTHONPATH", "")]),
               PYTHONWARNINGS="ignore::FutureWarning")
    out.mkdir(parents=True, exist_ok=True)
    log = open(out / "train.log", "w", encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "dm2s2_allennlp", *args,
                             "--include-package", "train_parts"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def recipe_run(paths: Dict[str, str], seed: int, out: Path, extra: Dict) -> subprocess.Popen:
    options = {**overrides(paths, seed), "trainer.callbacks": CALLBACKS, **extra}
    return allennlp(["train", str(RECIPE), "-s", str(out / "run"), "-o", json.dumps(options), "--force"], out,
                    out / "cache")


def finished(process: subprocess.Popen, began: float, out: Path) -> Dict[str, float]:
    if process.wait() != 0:
        raise RuntimeError(f"allennlp failed; see {out / 'train.log'}")
    wall = time.time() - began
    parts = json.loads((out / "run" / "train_parts.json").read_text())
    epochs = parts["epochs"]
    later = [e["training"] + e["validation"] for e in epochs[1:]]
    fill = epochs[0]["training"] + epochs[0]["validation"] - (statistics.median(later) if later else 0.0)
    metrics = json.loads((out / "run" / "metrics.json").read_text())
    return {"wall_s": round(wall, 1), "startup_s": round(parts["start"] - began, 1),
            "cache_fill_s": round(fill, 1), "training_s": round(sum(e["training"] for e in epochs), 1),
            "validation_s": round(sum(e["validation"] for e in epochs), 1),
            "fitting_s": round(sum(e["fitting"] for e in epochs), 1),
            "end_s": round(began + wall - parts["end"], 1), "epochs": len(epochs),
            "best_epoch": metrics.get("best_epoch"), "best_validation_main_score":
                metrics.get("best_validation_main_score")}


def test_scores(out: Path) -> Dict[str, float]:
    """The archive's test metrics (evaluated after the timing, in this process, from the run's cache)."""
    from run import on_test

    os.environ["DM2S2_CACHE_DIR"] = str(out / "cache")
    config = json.loads((out / "run" / "config.json").read_text())
    scores = on_test(out / "run" / "model.tar.gz", config["test_data_path"], alone=False)
    return {k: round(v, 4) for k, v in scores.items() if k != "test_loss"}


def peers(name: str, paths: Dict[str, str], seed: int, out: Path) -> Dict[str, float]:
    from tfidf import run_tfidf

    began = time.time()
    options = {**overrides(paths, seed), "evaluate_on_test": True}
    process = allennlp(["train-lightgbm", str(RECIPE), "-s", str(out / "lightgbm"), "-o", json.dumps(options),
                        "--force"], out / "lightgbm_log", out / "cache")
    if process.wait() != 0:
        raise RuntimeError(f"train-lightgbm failed; see {out / 'lightgbm_log' / 'train.log'}")
    lightgbm = time.time() - began
    began = time.perf_counter()
    run_tfidf(SPECS[name], paths, seed)
    return {"lightgbm_s": round(lightgbm, 1), "tfidf_s": round(time.perf_counter() - began, 1)}


def two_jobs(name: str, paths: Dict[str, str], seed: int, out: Path, alone: float, extra: Dict) -> Dict[str, float]:
    began = time.time()
    runs = [(recipe_run(paths, seed, out / f"job_{k}", extra), out / f"job_{k}") for k in (1, 2)]
    walls = [finished(process, began, where)["wall_s"] for process, where in runs]
    return {"alone_s": alone, "together_s": walls, "slowdown": [round(w / alone, 2) for w in walls]}


def main_metric(name: str, test: Dict[str, float]) -> str:
    metric = SPECS[name].main[0]
    return f"{metric} {test['test_' + metric]:.4f}"


def table(results: Dict) -> str:
    lines = ["| data set | records | floor (bfloat16) | recipe | start-up | cache fill | training (with the fill) "
             "| validation | fitting | end | epochs (best) | recipe / floor | without start-up and end / floor "
             "| LightGBM | TF-IDF | recipe's test metric |", "|---|" + "---:|" * 14 + "---|"]
    for name, r in results.items():
        if name in ("two_jobs", "machine", "extra"):
            continue
        f, t, p = r["floor"], r["recipe"], r.get("peers", {"lightgbm_s": "-", "tfidf_s": "-"})
        cells = [name, f["records"], f"{f['floor_s']} s ({f.get('floor_bfloat16_s', '-')})", f"{t['wall_s']} s",
                 t["startup_s"], t["cache_fill_s"], t["training_s"], t["validation_s"], t["fitting_s"], t["end_s"],
                 f"{t['epochs']} ({t['best_epoch']})", f"{t['wall_s'] / f['floor_s']:.1f} x",
                 f"{(t['wall_s'] - t['startup_s'] - t['end_s']) / f['floor_s']:.1f} x", f"{p['lightgbm_s']} s",
                 f"{p['tfidf_s']} s", main_metric(name, t["test"])]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    if "two_jobs" in results:
        two = results["two_jobs"]
        lines.append(f"\nTwo recipe runs at once ({two['name']}): alone {two['alone_s']} s, together "
                     f"{two['together_s']} s each: {two['slowdown']} x.")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["breaches", "loans", "artworks"], choices=list(SPECS))
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--two-jobs", default=None, choices=list(SPECS))
    parser.add_argument("--out", default=str(ROOT / "runs" / "cpu_time"))
    parser.add_argument("--extra", default="{}", help="JSON overrides added to the recipe's, to measure a lever "
                        "before it is the recipe's")
    parser.add_argument("--no-peers", action="store_true", help="time the floor and the recipe only")
    args = parser.parse_args()
    extra = json.loads(args.extra)
    out = Path(args.out)
    results: Dict = {"machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, Python "
                                f"{platform.python_version()}", "extra": extra}
    names = list(dict.fromkeys(args.datasets + ([args.two_jobs] if args.two_jobs else [])))
    paths = {name: write(SPECS[name], out / "data" / name) for name in names}
    for name in args.datasets:
        results[name] = {"floor": floor_seconds(paths[name])}
        began = time.time()
        results[name]["recipe"] = finished(recipe_run(paths[name], args.seed, out / name, extra), began, out / name)
        results[name]["recipe"]["test"] = test_scores(out / name)
        if not args.no_peers:
            results[name]["peers"] = peers(name, paths[name], args.seed, out / name)
        print(json.dumps({name: results[name]}), flush=True)
    if args.two_jobs:
        name = args.two_jobs
        alone = results.get(name, {}).get("recipe", {}).get("wall_s")
        if alone is None:
            began = time.time()
            alone = finished(recipe_run(paths[name], args.seed, out / f"{name}_alone", extra), began,
                             out / f"{name}_alone")["wall_s"]
        results["two_jobs"] = {"name": name, **two_jobs(name, paths[name], args.seed, out / f"{name}_two", alone,
                                                        extra)}
    (out / "cpu_time_to_model.json").write_text(json.dumps(results, indent=1))
    (out / "cpu_time_to_model.md").write_text(f"Machine: {results['machine']}\n\n" + table(results))
    print(json.dumps(results, indent=1))
    print(table(results))


if __name__ == "__main__":
    main()
