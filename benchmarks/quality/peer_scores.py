"""A peer's predictions (``peers.py``, run in the peers' virtualenv) scored by the package's own task heads, with
the recipe's decision rule: multi-label thresholds tuned on the validation split for micro-F1
(``heads.thresholds.tune_thresholds``) and at least one label per record, as the recipe's ``per_task`` head does;
classification takes the most probable class; regression the value. Runs in ``.venv``."""
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import numpy as np
import torch

from real_data import Spec, read
from tfidf import head_for, targets_of

ROOT = Path(__file__).resolve().parents[2]
PEERS = ("autogluon_tabular", "automm")
PEER_TIME_LIMIT = 600  # seconds a peer may take on one data set (a multi-label set's labels share it)
AUTOMM_EPOCHS = 10  # AutoMM's own default; the time limit may stop it earlier on this CPU


def peers_python() -> str:
    python = os.environ.get("DM2S2_PEERS_PYTHON", str(ROOT / ".venv-peers" / "bin" / "python"))
    if not Path(python).exists():
        raise SystemExit(f"the peers' virtualenv is not installed ({python}): run `make peers`")
    return python


def run_peer(spec: Spec, system: str, paths: Dict[str, str], seed: int, run: Path,
             time_limit: float = PEER_TIME_LIMIT, epochs: int = AUTOMM_EPOCHS) -> Dict[str, float]:
    command = [peers_python(), str(Path(__file__).with_name("peers.py")), system, "--task", spec.task,
               "--modalities", *spec.modalities, "--train", paths["train"], "--dev", paths["dev"],
               "--test", paths["test"], "--seed", str(seed), "--time-limit", str(time_limit),
               "--epochs", str(epochs), "--out", str(run)]
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    with open(run / "train.log", "w", encoding="utf-8") as log:
        if subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT).returncode != 0:
            raise RuntimeError(f"{system} failed on {spec.name}; see {run / 'train.log'}")
    predictions = json.loads((run / "predictions.json").read_text())
    train, dev, test = (read(paths[split]) for split in ("train", "dev", "test"))
    metrics = score(spec, predictions, train + dev + test, dev, test)
    metrics["train_seconds"] = predictions["train_seconds"]
    metrics.update({k: predictions[k] for k in ("time_limit", "models", "epochs") if k in predictions})
    return metrics


def matrix(spec: Spec, head, values: List, classes: List[str] = None) -> torch.Tensor:
    """Predictions in the head's output order: class-probability dicts (classification), per-class lists in
    ``classes`` order (multi-label), values (regression); a class the peer never saw: 0."""
    if spec.task == "regression":
        return torch.tensor(values, dtype=torch.float32)
    rows = np.zeros((len(values), head.num_outputs), dtype=np.float32)
    index = {name: i for i, name in enumerate(head.names)}
    for r, value in enumerate(values):
        pairs = value.items() if isinstance(value, dict) else zip(classes, value)
        for name, probability in pairs:
            rows[r, index[name]] = probability
    return torch.from_numpy(rows)


def score(spec: Spec, predictions: Dict, every: List[dict], dev: List[dict], test: List[dict]) -> Dict[str, float]:
    """``test_*`` metrics of the package's head for ``spec.task`` (labels: those of ``every`` record)."""
    from dm2s2_allennlp.heads.thresholds import tune_thresholds

    head = head_for(spec, every)
    classes = predictions.get("classes")
    if spec.task == "multilabel":  # the recipe's rule: thresholds for micro-F1 on the dev split, >= 1 label
        head.at_least_one = True
        dev_probs = matrix(spec, head, predictions["dev"], classes)
        head.set_thresholds(tune_thresholds(dev_probs, torch.tensor(targets_of(spec, head, dev)),
                                            objective="f1_micro"))
    head.update_metrics(matrix(spec, head, predictions["test"], classes), torch.tensor(targets_of(spec, head, test)))
    return {f"test_{k}": v for k, v in head.get_metrics(reset=True).items()}


if __name__ == "__main__":
    sys.exit("run through benchmarks/quality/run.py --systems autogluon_tabular automm")
