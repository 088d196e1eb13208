"""CPU benchmark on `make demo`'s data and encoder, measured side by side in one run; prints JSON.

* reader throughput of ``multimodal_jsonl`` (records/s, tokenisation included);
* `allennlp train` epoch time (training + validation) of the quickstart DM2S2 config with the frozen-encoder cache
  off, and with it on (epoch 1 fills the cache, later epochs read it);
* the same for AllenNLP's own ``basic_classifier`` with the same frozen all-MiniLM-L6-v2 (CLS pooling) on the same
  films, each film's modalities joined into one text, as a single-label task (its first genre): the reference point
  of "a naive setup" with this encoder.

    python benchmarks/cpu_demo.py [--train 2000 --dev 400 --epochs 3]
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from epoch_times import epoch_seconds  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=int, default=2000)
    parser.add_argument("--dev", type=int, default=400)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    work = Path(tempfile.mkdtemp(prefix="dm2s2-bench-"))
    os.environ["DM2S2_CACHE_DIR"] = str(work / "cache")
    import dm2s2_allennlp  # noqa: F401
    from allennlp.commands.train import train_model
    from allennlp.common import Params

    from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
    from dm2s2_allennlp.demo import MODALITIES, build_movies
    from dm2s2_allennlp.encoder_names import embedded_encoder_path

    paths = build_movies(str(work / "movies"), sizes=(args.train, args.dev, 10))
    encoder = embedded_encoder_path()
    reader = MultimodalJsonlReader(modalities=MODALITIES, transformer_model_name=encoder, max_length=128)
    start = time.perf_counter()
    count = sum(1 for _ in reader.read(paths["train"]))
    reader_rate = count / (time.perf_counter() - start)

    def dm2s2(cache):
        params = Params.from_file(str(ROOT / "experiments" / "quickstart" / "movies_dm2s2.jsonnet"),
                                  json.dumps({"train_data_path": paths["train"], "validation_data_path": paths["dev"],
                                              "test_data_path": paths["test"], "trainer.num_epochs": args.epochs,
                                              "trainer.patience": None}))
        if not cache:  # the transformer itself, without the cached wrapper
            params["model"]["encoder"] = params["model"]["encoder"]["transformer"]
        run = work / f"dm2s2_cache_{cache}"
        train_model(params, str(run))
        return epoch_seconds(run)

    # AllenNLP's own classifier: one text per film, its first genre as the label
    for split in ("train", "dev"):
        with open(paths[split]) as source, open(work / f"{split}_text.jsonl", "w") as target:
            for line in source:
                record = json.loads(line)
                text = " ; ".join(f"{k}: {v}" for k, v in record["modalities"].items() if v is not None)
                target.write(json.dumps({"text": text, "label": record["label"][0]}) + "\n")
    basic = Params({
        "dataset_reader": {"type": "text_classification_json",
                           "tokenizer": {"type": "pretrained_transformer", "model_name": encoder, "max_length": 128},
                           "token_indexers": {"tokens": {"type": "pretrained_transformer", "model_name": encoder}}},
        "train_data_path": str(work / "train_text.jsonl"), "validation_data_path": str(work / "dev_text.jsonl"),
        "model": {"type": "basic_classifier",
                  "text_field_embedder": {"token_embedders": {"tokens": {
                      "type": "pretrained_transformer", "model_name": encoder, "train_parameters": False}}},
                  "seq2vec_encoder": {"type": "cls_pooler", "embedding_dim": 384}},
        "data_loader": {"batch_size": 32, "shuffle": True}, "validation_data_loader": {"batch_size": 64},
        "trainer": {"optimizer": {"type": "adamw", "lr": 1e-3}, "num_epochs": args.epochs, "cuda_device": -1},
    })
    train_model(basic, str(work / "basic_classifier"))
    basic_epochs = epoch_seconds(work / "basic_classifier")
    uncached, cached = dm2s2(False), dm2s2(True)
    later = sum(cached[1:]) / len(cached[1:])
    print(json.dumps({
        "machine": f"{os.cpu_count()} CPU cores", "train_films": args.train, "dev_films": args.dev,
        "reader_records_per_second": round(reader_rate, 1),
        "epoch_seconds": {"dm2s2_uncached": uncached, "dm2s2_cached": cached, "basic_classifier": basic_epochs},
        "cached_later_epoch_over_uncached_epoch": round(later / (sum(uncached) / len(uncached)), 3),
        "cached_first_epoch_over_uncached_epoch": round(cached[0] / (sum(uncached) / len(uncached)), 3),
        "dm2s2_uncached_over_basic_classifier": round(sum(uncached) / sum(basic_epochs), 3),
        "dm2s2_cached_later_epoch_over_basic_classifier_epoch": round(later / (sum(basic_epochs) / len(basic_epochs)),
                                                                       3),
    }))


if __name__ == "__main__":
    main()
