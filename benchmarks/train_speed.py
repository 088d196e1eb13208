"""Epoch time of `allennlp train` itself against the frozen encoder's own forward time (the floor), measured side by
side in one process on the same batches; prints one JSON line per model.

For each model (``--models``, default DM2S2 and DMMS, the mid-fusion baseline that encodes each modality on its own):
  * ``allennlp_train``: ``allennlp train``'s own loop (AllenNLP's trainer, its per-batch loss read and metric
    update, the callbacks) run in this process on the training data, no validation, an empty encoder-state cache:
    epoch 1 fills the cache, later epochs read it. Epoch times come from the trainer's ``metrics_epoch_*.json``.
  * ``custom_loop``: the same model and batches in a bare loop (forward, loss, backward, AdamW; no metrics read per
    batch), batches collated once before timing -- what the trainer itself costs is the difference.
  * ``floor``: the encoder alone over exactly these batches (inference mode, same precision), what any
    implementation with this frozen encoder spends at least once per epoch without a cache; measured twice (after a
    warm-up), the faster counts.
Ratios are epoch / floor. The GPU goals (issue 18) are <= 1.15 for the first epoch and <= 0.05 for cached epochs;
on a CPU the encoder dominates everything and the ratios mostly show what the cache saves.

    python benchmarks/train_speed.py                                   # the demo films, all-MiniLM-L6-v2, CPU
    python benchmarks/train_speed.py --data mmimdb:/tmp/mm --encoder /tmp/enc --autocast bfloat16   # on a GPU
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from epoch_times import epoch_seconds, train_steps  # noqa: E402

from dm2s2_allennlp.models.per_modality import modality_vectors  # noqa: E402

MODELS = {"dm2s2": {"type": "dm2s2", "mlp": {"hidden_dims": [256, 128]}},
          "dmms": {"type": "dmms", "set_dim": 256, "mlp": {"hidden_dims": [256]}}}


def data_config(data: str, work: Path, encoder: str, limit: int):
    """Reader and training path of ``demo`` (ggplot2movies) or ``mmimdb:DIR`` (scripts/make_synthetic_mmimdb.py)."""
    if data == "demo":
        from dm2s2_allennlp.demo import MODALITIES, build_movies

        paths = build_movies(str(work / "movies"), sizes=(limit, 10, 10))
        reader = {"type": "multimodal_jsonl", "modalities": MODALITIES, "task": "multilabel",
                  "transformer_model_name": encoder, "max_length": 128}
        return reader, paths["train"], MODALITIES, 128
    root = data.split(":", 1)[1]
    modalities = ["title", "plot", "ocr_text", "num_faces", "labels", "objects"]
    reader = {"type": "mmimdb", "modalities": modalities, "features_dir": f"{root}/features/cloud_vision",
              "transformer_model_name": encoder, "max_length": 512}
    return reader, f"{root}/mmimdb#train", modalities, 512


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="demo", help="demo | mmimdb:DIR")
    parser.add_argument("--encoder", default="sentence-transformers/all-MiniLM-L6-v2")
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--train", type=int, default=1000, help="training records (demo)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--autocast", default="none", choices=["bfloat16", "float16", "none"])
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from allennlp.commands.train import train_model
    from allennlp.common import Params
    from allennlp.data import Batch, DatasetReader, Vocabulary
    from allennlp.models import Model
    from allennlp.nn import util

    import dm2s2_allennlp  # noqa: F401
    from dm2s2_allennlp.samplers import TokenBucketBatchSampler

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    work = Path(tempfile.mkdtemp(prefix="dm2s2-speed-"))
    reader_params, train_path, modalities, max_length = data_config(args.data, work, args.encoder, args.train)
    instances = list(DatasetReader.from_params(Params(dict(reader_params))).read(train_path))
    vocab = Vocabulary.from_instances(instances)
    for name in args.models:
        encoder = {"model_name": args.encoder, "max_length": max_length,
                   "autocast": None if args.autocast == "none" else args.autocast,
                   "cache": {"directory": str(work / f"cache_{name}_trainer")}}
        model_params = {**MODELS[name], "modalities": modalities, "encoder": encoder, "head": {"type": "multilabel"}}
        config = {"dataset_reader": reader_params, "train_data_path": train_path, "model": model_params,
                  "data_loader": {"batch_sampler": {"type": "token_bucket", "batch_size": args.batch_size,
                                                    "seed": 0}},
                  "trainer": {"optimizer": {"type": "adamw", "lr": 1e-3}, "num_epochs": args.epochs,
                              "cuda_device": 0 if device.type == "cuda" else -1,
                              "callbacks": [{"type": "fit_to_data"}, {"type": "flush_encoder_cache"}]}}
        run = work / f"run_{name}"
        train_model(Params(json.loads(json.dumps(config))), str(run))
        trainer_epochs = epoch_seconds(run)

        # the same model in a bare loop over the same kind of batches, collated once
        torch.manual_seed(0)
        loop_params = dict(model_params, encoder=dict(encoder, cache={"directory": str(work / f"cache_{name}_loop")}))
        model = Model.from_params(vocab=vocab, params=Params(json.loads(json.dumps(loop_params)))).to(device)
        model.set_data_statistics(model.data_statistics(instances))
        batches = []
        for indices in TokenBucketBatchSampler(args.batch_size, seed=0).get_batch_indices(instances):
            batch = Batch([instances[i] for i in indices])
            batch.index_instances(vocab)
            batches.append(util.move_to_device(batch.as_tensor_dict(), device))
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
        model.train()
        loop_epochs = []
        for _ in range(args.epochs):
            sync(device)
            start = time.perf_counter()
            train_steps(model, optimizer, batches)
            model.get_metrics(reset=True)
            sync(device)
            loop_epochs.append(round(time.perf_counter() - start, 3))

        def floor() -> float:
            encoder_part = getattr(model.encoder, "transformer", model.encoder)  # the transformer itself, uncached
            with torch.inference_mode():
                sync(device)
                start = time.perf_counter()
                for batch in batches:
                    ids, mask = model.modality_token_ids(batch["modalities"])
                    if name == "dmms":
                        modality_vectors(encoder_part, ids, mask, model.encoder_pooling)
                    else:
                        encoder_part.encode(encoder_part.unify(ids, mask))
                sync(device)
                return time.perf_counter() - start

        floor()  # warm-up (kernel selection for new shapes)
        floor_seconds = min(floor(), floor())
        print(json.dumps({
            "model": name, "device": torch.cuda.get_device_name() if device.type == "cuda" else
            f"cpu ({os.cpu_count()} cores)", "data": args.data, "records": len(instances), "batches": len(batches),
            "autocast": args.autocast, "floor_seconds": round(floor_seconds, 3),
            "allennlp_train": {"epoch_seconds": trainer_epochs,
                               "first_over_floor": round(trainer_epochs[0] / floor_seconds, 3),
                               "cached_over_floor": [round(e / floor_seconds, 4) for e in trainer_epochs[1:]]},
            "custom_loop": {"epoch_seconds": loop_epochs,
                            "first_over_floor": round(loop_epochs[0] / floor_seconds, 3),
                            "cached_over_floor": [round(e / floor_seconds, 4) for e in loop_epochs[1:]]},
        }), flush=True)


if __name__ == "__main__":
    main()
