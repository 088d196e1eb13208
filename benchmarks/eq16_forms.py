"""Eq. 16 as printed (the weighted positive term alone) against both terms of the sigmoid cross-entropy, on the demo
films (DM2S2 with the frozen encoder and 0.5 thresholds, as in the paper's setup; three seeds) and on the MM-IMDB-format
fixture (tiny; one seed: it shows the behaviour, not a quality figure). Prints a Markdown table of test F1.

    python benchmarks/eq16_forms.py [--seeds 13 14 15] [--out runs/eq16]
"""
import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FROZEN = {"model.encoder.transformer.trainable_top_layers": 0, "model.blend_with_lightgbm": False, "model.numeric_features": False,
          "model.head.tune_thresholds": False, "model.head.at_least_one": False,
          "trainer.optimizer": {"type": "adamw", "lr": 1e-3, "weight_decay": 0.01}, "evaluate_on_test": True}


def train(config: str, out: Path, overrides: dict) -> dict:
    if not (out / "metrics.json").exists():
        subprocess.run([sys.executable, "-m", "dm2s2_allennlp", "train", config, "-s", str(out), "-o",
                        json.dumps(overrides), "--force"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.loads((out / "metrics.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", nargs="+", type=int, default=[13, 14, 15])
    parser.add_argument("--out", default=str(ROOT / "runs" / "eq16"))
    args = parser.parse_args()
    from dm2s2_allennlp.demo import build_movies

    out = Path(args.out)
    paths = build_movies(str(out / "movies"))
    rows = []
    for form in ("both", "printed"):
        films = []
        for seed in args.seeds:
            overrides = {**FROZEN, "model.head.loss_terms": form, "train_data_path": paths["train"],
                         "validation_data_path": paths["dev"], "test_data_path": paths["test"],
                         "random_seed": seed, "numpy_seed": seed, "pytorch_seed": seed}
            films.append(train("experiments/quickstart/movies_dm2s2.jsonnet", out / f"films_{form}_{seed}", overrides))
        fixture = train("fixtures/configs/mmimdb.jsonnet", out / f"mmimdb_fixture_{form}",
                        {"model.head.loss_terms": form, "trainer.num_epochs": 10})

        def cell(runs, key):
            values = [r[key] for r in runs]
            return f"{statistics.mean(values):.4f} ± {statistics.stdev(values):.4f}" if len(values) > 1 else \
                f"{values[0]:.4f}"
        rows.append(f"| {form} | {cell(films, 'test_f1_micro')} | {cell(films, 'test_f1_macro')} | "
                    f"{cell([fixture], 'best_validation_f1_micro')} | {cell([fixture], 'best_validation_f1_macro')} |")
    print("| Eq. 16 | films F1-micro | films F1-macro | MM-IMDB fixture F1-micro | MM-IMDB fixture F1-macro |")
    print("|---|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
