"""IntraMRA alone on the CPU: forward + backward of one batch (prints JSON). For comparing two revisions of the
package, run alternately from a `git worktree` of each (as `cpu_epoch_ab.py` says):

    for tree in /tmp/old $PWD /tmp/old $PWD; do (cd $tree && PYTHONPATH=$tree python benchmarks/intra_mra_step.py); done

A batch of 32 x 40 tokens, d = 384 (all-MiniLM-L6-v2), 7 modalities, token-to-modality ids drawn at random (-1 for
positions outside every modality); the time is the minimum over 5 rounds of the mean of 10 steps.
"""
import json
import time

import torch

import dm2s2_allennlp
from dm2s2_allennlp.modules.intra_mra import IntraModalityResidualAttention


def main(batch: int = 32, length: int = 40, dim: int = 384, modalities: int = 7) -> None:
    torch.manual_seed(0)
    module = IntraModalityResidualAttention(modalities, dim)
    hidden = torch.randn(batch, length, dim)
    ids = torch.randint(-1, modalities, (batch, length))
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(10):
            out, _ = module(hidden, ids)
            out.sum().backward()
        rounds.append((time.perf_counter() - start) / 10)
    print(json.dumps({"package": dm2s2_allennlp.__path__[0], "threads": torch.get_num_threads(),
                      "ms_per_step": round(min(rounds) * 1000, 1)}))


if __name__ == "__main__":
    main()
