"""`make demo`: build the real-data demo set, train DM2S2 with the embedded pretrained encoder, evaluate on the test
split, predict a few films, and print the test metrics next to the frequency baseline. Safe to re-run: the data is
rebuilt identically (seeded) and the run directory is retrained from scratch (--force)."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONFIG = "experiments/quickstart/movies_dm2s2.jsonnet"
RUN = ROOT / "runs" / "quickstart"


def allennlp(*args: str) -> None:
    command = [sys.executable, "-m", "allennlp", *args, "--include-package", "dm2s2_allennlp"]
    print("\n$ allennlp " + " ".join(args), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)


def main() -> None:
    start = time.time()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import dm2s2_allennlp  # noqa: F401  (fills in DM2S2_ENCODER / DM2S2_MOVIES_DIR defaults)
    from dm2s2_allennlp.demo import build_movies, constant_baseline
    from dm2s2_allennlp.metrics import MultilabelF1
    from dm2s2_allennlp.demo.movies import GENRES
    import torch

    data_dir = ROOT / os.environ["DM2S2_MOVIES_DIR"]
    paths = build_movies(str(data_dir))
    print(f"== demo data (ggplot2movies, real IMDb films): {paths}")
    allennlp("train", CONFIG, "-s", str(RUN), "--force")
    allennlp("evaluate", str(RUN / "model.tar.gz"), paths["test"], "--output-file", str(RUN / "test_metrics.json"))
    sample = RUN / "predict_input.jsonl"
    with open(paths["test"], encoding="utf-8") as handle:
        sample.write_text("".join(handle.readline() for _ in range(3)), encoding="utf-8")
    allennlp("predict", str(RUN / "model.tar.gz"), str(sample), "--output-file", str(RUN / "predictions.jsonl"),
             "--silent")

    def labels(path):
        with open(path, encoding="utf-8") as handle:
            return [json.loads(line)["label"] for line in handle]

    train_labels, test_labels = labels(paths["train"]), labels(paths["test"])
    constant = constant_baseline(train_labels)
    gold = torch.tensor([[g in y for g in GENRES] for y in test_labels], dtype=torch.float)
    metric = MultilabelF1()
    metric(torch.tensor([[float(g in constant) for g in GENRES]] * len(test_labels)), gold)
    baseline = metric.get_metric()
    test = json.loads((RUN / "test_metrics.json").read_text())

    print("\n== test split: DM2S2 (frozen all-MiniLM-L6-v2) vs the frequency baseline "
          f"(always predict {constant}, the best constant label set on train)")
    print(f"{'metric':<12}{'DM2S2':>10}{'baseline':>10}")
    for key in ("f1_micro", "f1_macro", "f1_samples"):
        print(f"{key:<12}{test[key]:>10.4f}{baseline[key]:>10.4f}")
    print("\n== predictions for 3 test films (runs/quickstart/predictions.jsonl):")
    with open(RUN / "predictions.jsonl", encoding="utf-8") as handle, open(sample, encoding="utf-8") as inputs:
        for line, record in zip(handle, inputs):
            prediction, record = json.loads(line), json.loads(record)
            weights = {k: round(v, 2) for k, v in prediction["inter_weights"].items()}
            print(f"  {record['modalities']['title']!r}: predicted {prediction['labels']} (gold {record['label']});"
                  f" modality weights {weights}")
    print(f"\n== demo finished in {time.time() - start:.0f} s; model archive: {RUN / 'model.tar.gz'}")


if __name__ == "__main__":
    main()
