"""Build an encoder with random weights and the SHAPE of a real one, offline, for GPU setup checks and benchmarks.

    python scripts/build_random_encoder.py OUT --size roberta-large --tokenizer-from DIR

``roberta-large`` shape: 24 layers, d = 1024, 16 heads, FFN 4096, 512 positions (the paper's encoder, 355M
parameters). The tokenizer (and so the vocabulary size) is copied from ``--tokenizer-from``, e.g. the embedded
all-MiniLM-L6-v2's WordPiece files: the architecture is then a BERT with roberta-large's dimensions, whose compute
per token is the same as roberta-large's (only the embedding table differs in size).
"""
import argparse
import json
import os
import shutil

SIZES = {
    "roberta-large": dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096),
    "bert-base": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072),
}
TOKENIZER_FILES = ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--size", choices=sorted(SIZES), default="roberta-large")
    parser.add_argument("--tokenizer-from", required=True)
    args = parser.parse_args()
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    os.makedirs(args.out, exist_ok=True)
    for name in TOKENIZER_FILES:
        if os.path.exists(os.path.join(args.tokenizer_from, name)):
            shutil.copy(os.path.join(args.tokenizer_from, name), args.out)
    tokenizer = AutoTokenizer.from_pretrained(args.out)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tokenizer), max_position_embeddings=512, type_vocab_size=2, **SIZES[args.size])
    model = BertModel(config)
    model.save_pretrained(args.out, safe_serialization=True)
    print(json.dumps({"out": args.out, "size": args.size, "parameters": sum(p.numel() for p in model.parameters())}))


if __name__ == "__main__":
    main()
