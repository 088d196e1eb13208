"""The README's model comparison: every model of the package (and the LightGBM baseline) trained on `make demo`'s
real films with the same frozen encoder, data split, optimiser and epoch budget, 3 seeds each, evaluated on the test
split; the table is made by `allennlp results-table` (mean ± std over the seeds).

    .venv/bin/python scripts/compare_models.py [--seeds 13 14 15] [--models dm2s2 dmms ...]

Runs go to runs/compare/<model>/seed_<s>/ and are not redone when finished (delete them to retrain); the table is
written to runs/compare/table.md.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODELS = ["dm2s2", "encoder_only", "encoder_only_modality_embeddings", "dmms", "modality_attention_merger", "mmae",
          "concat_fusion"]
NAMES = {"dm2s2": "DM2S2", "encoder_only": "encoder only", "encoder_only_modality_embeddings":
         "encoder only + modality embeddings", "dmms": "DMMS (max)", "modality_attention_merger":
         "modality-attention merger (KL)", "mmae": "MMAE", "concat_fusion": "concat fusion", "lightgbm": "LightGBM"}
METRICS = ["f1_micro", "f1_macro", "f1_samples", "recall_at_p95"]
OUT = ROOT / "runs" / "compare"


def allennlp(*args: str) -> None:
    command = [sys.executable, "-m", "dm2s2_allennlp", *args]
    print("$ allennlp " + " ".join(args), flush=True)
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 14, 15])
    parser.add_argument("--models", nargs="+", default=MODELS + ["lightgbm"])
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import dm2s2_allennlp  # noqa: F401  (fills in DM2S2_ENCODER / DM2S2_MOVIES_DIR defaults)
    from dm2s2_allennlp.demo import build_movies

    build_movies(str(ROOT / os.environ["DM2S2_MOVIES_DIR"]))
    timings = {}
    for model in args.models:
        config = f"experiments/quickstart/movies_{'dm2s2' if model == 'lightgbm' else model}.jsonnet"
        for seed in args.seeds:
            run = OUT / model / f"seed_{seed}"
            if (run / "metrics.json").exists():
                continue
            overrides = json.dumps({"random_seed": seed, "numpy_seed": seed, "pytorch_seed": seed,
                                    "evaluate_on_test": True})
            start = time.time()
            if model == "lightgbm":
                allennlp("train-lightgbm", config, "-s", str(run), "-o", overrides, "--force")
            else:
                allennlp("train", config, "-s", str(run), "-o", overrides, "--force")
            timings[f"{model}/seed_{seed}"] = round(time.time() - start, 1)
            print(f"   {time.time() - start:.0f} s", flush=True)
    rows = [f"{NAMES[m]}=" + ",".join(str(OUT / m / f"seed_{s}") for s in args.seeds) for m in args.models]
    table = OUT / "table.md"
    allennlp("results-table", *rows, "--metrics", *METRICS, "--percent", "--output", str(table))
    print(table.read_text())
    if timings:
        print("training time per run (s):", json.dumps(timings))


if __name__ == "__main__":
    main()
