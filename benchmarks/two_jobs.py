"""Two jobs on one CPU (issue 28): the recipe's training step (all-MiniLM-L6-v2, its top 2 layers trained on cached
bottom states, DM2S2's fusion, batch 32, AdamW) on 600 demo films, one process alone and two identical processes at
once, under each thread setting; prints JSON (seconds of the cached epoch; slowdown = together / alone).

    .venv/bin/python benchmarks/two_jobs.py [--settings default passive threads1 ...]

Settings: ``default`` (torch's intra-op threads = the cores, OpenMP's default waiting), ``passive``
(``OMP_WAIT_POLICY=PASSIVE``: a waiting OpenMP thread sleeps instead of spinning), ``spinN`` (``GOMP_SPINCOUNT=N``:
it spins N times, then sleeps; libgomp's default is 300,000), ``threadsN``
(``torch.set_num_threads(N)``). Nothing else may run meanwhile.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def worker(threads: int) -> None:
    """One job: build the recipe's model on 600 films, fill the cache (one epoch), time a cached epoch."""
    import tempfile

    import torch

    if threads:
        torch.set_num_threads(threads)
    from allennlp.common import Params
    from allennlp.models import Model

    import dm2s2_allennlp  # noqa: F401
    from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
    from dm2s2_allennlp.demo import build_movies

    sys.path.insert(0, str(HERE))
    from epoch_times import collated, train_steps

    paths = build_movies(tempfile.mkdtemp(), sizes=(600, 10, 10))
    reader = MultimodalJsonlReader(transformer_model_name="sentence-transformers/all-MiniLM-L6-v2", max_length=128)
    vocab, batches = collated(reader, paths["train"])
    torch.manual_seed(0)
    config = {"type": "dm2s2", "numeric_features": True, "mlp": {"hidden_dims": [256], "dropout": 0.1},
              "encoder": {"type": "cached", "cache": {"directory": tempfile.mkdtemp()},
                          "transformer": {"type": "pretrained_transformer", "trainable_top_layers": 2}}}
    model = Model.from_params(vocab=vocab, params=Params(config)).train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    train_steps(model, optimizer, batches)  # fills the cache
    start = time.perf_counter()
    train_steps(model, optimizer, batches)
    print(json.dumps({"cached_epoch_s": round(time.perf_counter() - start, 2), "threads": torch.get_num_threads()}))


def launch(setting: str) -> subprocess.Popen:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    threads = 0
    if setting == "passive":
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    elif setting.startswith("spin"):
        env["GOMP_SPINCOUNT"] = setting[len("spin"):]
    elif setting.startswith("threads"):
        threads = int(setting[len("threads"):])
    return subprocess.Popen([sys.executable, __file__, "--worker", str(threads)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def seconds(process: subprocess.Popen) -> float:
    out, _ = process.communicate()
    if process.returncode != 0:
        raise RuntimeError("a worker failed")
    return json.loads(out.strip().splitlines()[-1])["cached_epoch_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settings", nargs="+", default=["default", "passive", "threads1"])
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        worker(args.worker)
        return
    results = {}
    for setting in args.settings:
        alone = seconds(launch(setting))
        pair = [launch(setting), launch(setting)]
        together = [seconds(p) for p in pair]
        results[setting] = {"alone_s": alone, "together_s": together,
                            "slowdown": [round(t / alone, 2) for t in together]}
        print(json.dumps({setting: results[setting]}), flush=True)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
