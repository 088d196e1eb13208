"""Per-epoch wall time of an `allennlp train` run, from the cumulative ``training_duration`` ("H:MM:SS.ffffff") that
AllenNLP writes into ``metrics_epoch_<n>.json`` (training plus validation of each epoch)."""
import json
from pathlib import Path
from typing import List


def epoch_seconds(run_dir) -> List[float]:
    def seconds(text: str) -> float:
        hours, minutes, secs = text.split(":")
        return int(hours) * 3600 + int(minutes) * 60 + float(secs)

    files = sorted(Path(run_dir).glob("metrics_epoch_*.json"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    cumulative = [seconds(json.loads(p.read_text())["training_duration"]) for p in files]
    return [round(b - a, 2) for a, b in zip([0.0] + cumulative, cumulative)]


def collated(reader, path: str, batch_size: int = 32):
    """``path`` read with ``reader``: its vocabulary and its records collated once into tensor dicts of
    ``batch_size``, in file order."""
    from allennlp.data import Batch, Vocabulary

    instances = list(reader.read(path))
    vocab = Vocabulary.from_instances(instances)
    batches = []
    for start in range(0, len(instances), batch_size):
        batch = Batch(instances[start:start + batch_size])
        batch.index_instances(vocab)
        batches.append(batch.as_tensor_dict())
    return vocab, batches


def train_steps(model, optimizer, batches) -> None:
    """Forward, loss, backward and an optimizer step for each of ``batches`` (collated tensor dicts)."""
    for batch in batches:
        loss = model(**batch)["loss"]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
