"""Epoch time of DM2S2 training relative to the encoder floor, measured side by side in one run (prints JSON).

On synthetic data in the real MM-IMDB layout (``scripts/make_synthetic_mmimdb.py``) with an encoder of
roberta-large's shape (``scripts/build_random_encoder.py``):
  * floor: the pure encoder forward of exactly the training batches (unified sequences, same precision,
    inference mode) - what any implementation with this frozen encoder must spend at least once; measured before
    and after the training epochs, the faster of the two;
  * epoch 1: the full training loop (forward, loss, backward, AdamW step) with an empty cache: it fills the cache;
  * epochs 2..E: the same loop reading the cache.
Batches are made once by the ``token_bucket`` sampler and moved to the device before timing, so collation (AllenNLP's
CPU-side padding, the same with or without this package) is timed separately as ``collate_seconds``. The ratios are
epoch / floor; the goals are <= 1.15 for the first epoch and <= 0.05 for cached epochs.

    python benchmarks/gpu/mmimdb_speed.py --data /tmp/mm --encoder /tmp/enc --autocast bfloat16 --epochs 3
"""
import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from epoch_times import train_steps  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--encoder", required=True)
    parser.add_argument("--autocast", default="bfloat16", choices=["bfloat16", "float16", "none"])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N training films")
    args = parser.parse_args()
    from allennlp.data import Batch, Vocabulary
    from allennlp.nn import util

    from dm2s2_allennlp.dataset_readers import MmImdbReader, TokenBucketBatchSampler
    from dm2s2_allennlp.models import DM2S2

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    modalities = ["title", "plot", "ocr_text", "num_faces", "labels", "objects"]
    reader = MmImdbReader(features_dir=f"{args.data}/features/cloud_vision", transformer_model_name=args.encoder)
    start = time.perf_counter()
    instances = list(reader.read(f"{args.data}/mmimdb#train"))[: args.limit]
    read_seconds = time.perf_counter() - start
    vocab = Vocabulary.from_instances(instances)
    torch.manual_seed(0)
    model = DM2S2(vocab, modalities=modalities, transformer_model_name=args.encoder, mlp_hidden_dims=[256, 128],
                  encoder_autocast=None if args.autocast == "none" else args.autocast,
                  cache_directory=tempfile.mkdtemp()).to(device)  # the default memory tier: 40% of free GPU memory
    sampler = TokenBucketBatchSampler(args.batch_size, seed=0)
    start = time.perf_counter()
    batches = []
    for indices in sampler.get_batch_indices(instances):
        batch = Batch([instances[i] for i in indices])
        batch.index_instances(vocab)
        batches.append(util.move_to_device(batch.as_tensor_dict(), device))
    collate_seconds = time.perf_counter() - start
    tokens = sum(int(b["modalities"]["tokens"]["mask"].sum()) for b in batches)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    def measure_floor():
        """The encoder alone on the same unified sequences, after a warm-up batch."""
        model.eval()
        with torch.inference_mode():
            unified = model.unify(batches[0]["modalities"])
            model.run_encoder(unified.input_ids, unified.attention_mask)
            sync()
            start = time.perf_counter()
            for batch in batches:
                unified = model.unify(batch["modalities"])
                model.run_encoder(unified.input_ids, unified.attention_mask)
            sync()
            return time.perf_counter() - start

    floors = [measure_floor()]

    # warm-up of the trainable part's kernels, without touching the cache
    cache, model.cache = model.cache, None
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    model(**batches[0])["loss"].backward()
    optimizer.zero_grad()
    model.cache = cache
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    epochs = []
    for _ in range(args.epochs):
        sync()
        start = time.perf_counter()
        train_steps(model, optimizer, batches)
        sync()
        epochs.append(time.perf_counter() - start)
    floors.append(measure_floor())  # measured before and after the epochs; the faster one is the floor

    def host_syncs(step_model) -> int:
        """How many times one training step (forward, backward, AdamW) makes the host wait for the GPU."""
        if device.type != "cuda":
            return None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            torch.cuda.set_sync_debug_mode("warn")
            try:
                train_steps(step_model, optimizer, batches[-1:])
            finally:
                torch.cuda.set_sync_debug_mode("default")
        return sum("synchroniz" in str(w.message) for w in caught)

    syncs_cached = host_syncs(model)
    model.cache = None
    syncs_uncached = host_syncs(model)
    model.cache = cache
    floor = min(floors)
    # the cache changes nothing: cached vs freshly computed (uncached model, same weights) on one batch
    model.eval()
    with torch.no_grad():
        cached = model(**batches[0])["logits"]
        model.cache = None
        fresh = model(**batches[0])["logits"]
    result = {
        "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
        "autocast": args.autocast, "films": len(instances), "batches": len(batches), "modality_tokens": tokens,
        "read_seconds": round(read_seconds, 2), "collate_seconds": round(collate_seconds, 2),
        "floor_seconds": round(floor, 3), "floor_runs_seconds": [round(f, 3) for f in floors],
        "epoch_seconds": [round(e, 3) for e in epochs],
        "first_epoch_over_floor": round(epochs[0] / floor, 3),
        "cached_epoch_over_floor": [round(e / floor, 4) for e in epochs[1:]],
        "floor_sequences_per_second": round(len(instances) / floor, 1),
        "peak_gpu_memory_MB": round(torch.cuda.max_memory_allocated() / 2**20) if device.type == "cuda" else None,
        "cache_memory_MB": round(cache.memory_bytes / 2**20), "cache_hits": cache.hits, "cache_misses": cache.misses,
        "host_syncs_per_step": {"cached": syncs_cached, "encoder_recomputed": syncs_uncached},
        "max_abs_logit_difference_cached_vs_fresh": float((cached - fresh).abs().max()),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
