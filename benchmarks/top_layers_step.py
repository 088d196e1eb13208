"""The recipe's trainable part alone -- all-MiniLM-L6-v2's top two layers, forward and backward on cached bottom
states, with the attention probabilities' dropout at 0 and at the pretrained 0.1 -- in float32 and under bfloat16
autocast (with torch's fused CPU attention, with its plain "math" attention, and as the recipe runs them:
``modules.packed_layers``, whose attention stays in float32), on the CPU, at a few batch widths with no padding
(issue 28's precision and dropout levers; what packing saves on padding is in ``cpu_time_to_model.py``'s runs).
Prints one JSON line per dropout and width: the fastest of ``--repeats`` steps of each setting.

    .venv/bin/python benchmarks/top_layers_step.py [--widths 32 64 128] [--batch 32] [--repeats 5]

Nothing else may run on the machine meanwhile (2 cores).
"""
import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

import torch
from torch.nn.attention import SDPBackend, sdpa_kernel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dm2s2_allennlp.encoder_names import resolve_model_name  # noqa: E402
from dm2s2_allennlp.encoders.pretrained_transformer import native_cpu_bfloat16  # noqa: E402
from dm2s2_allennlp.modules.packed_layers import packing_index, run_packed  # noqa: E402

SETTINGS = {  # name -> (autocast dtype, attention backend or "packed": modules.packed_layers)
    "float32": (None, None),
    "bfloat16, fused attention": (torch.bfloat16, None),
    "bfloat16, math attention": (torch.bfloat16, SDPBackend.MATH),
    "bfloat16, packed layers (float32 fused attention)": (torch.bfloat16, "packed"),
}


def step_seconds(layers, hidden, mask, dtype, backend, repeats: int) -> float:
    times = []
    rows = packing_index(torch.ones(hidden.shape[:2]))  # every position real: the same work as the others
    for _ in range(repeats + 1):  # the first is a warm-up
        states = hidden.clone().requires_grad_(True)
        began = time.perf_counter()
        attention = sdpa_kernel(backend) if backend not in (None, "packed") else contextlib.nullcontext()
        with attention, torch.autocast("cpu", dtype=torch.bfloat16, enabled=dtype is not None):
            out = states
            if backend == "packed":
                out = run_packed(layers, out, *rows, mask)
            for layer in layers if backend != "packed" else []:
                out = layer(out, attention_mask=mask)[0]
        out.float().square().mean().backward()
        times.append(time.perf_counter() - began)
    return min(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--widths", nargs="+", type=int, default=[32, 64, 128])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from transformers import AutoModel

    model = AutoModel.from_pretrained(resolve_model_name("sentence-transformers/all-MiniLM-L6-v2"))
    layers = model.encoder.layer[-2:].train()
    torch.manual_seed(0)
    print(json.dumps({"threads": torch.get_num_threads(), "native_cpu_bfloat16": native_cpu_bfloat16()}))
    for dropout in (0.0, 0.1):
        for layer in layers:
            layer.attention.self.dropout_prob = dropout
        for width in args.widths:
            hidden = torch.randn(args.batch, width, model.config.hidden_size)
            mask = model.get_extended_attention_mask(torch.ones(args.batch, width, dtype=torch.long), hidden.shape[:2])
            row = {"attention_dropout": dropout, "width": width}
            for name, (dtype, backend) in SETTINGS.items():
                row[name + " ms"] = round(step_seconds(layers, hidden, mask, dtype, backend, args.repeats) * 1e3, 1)
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
