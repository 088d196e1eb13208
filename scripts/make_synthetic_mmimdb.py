"""Write a synthetic data set in the REAL MM-IMDB layout, at realistic lengths, for GPU setup checks and benchmarks.

    OUT/mmimdb/split.json, OUT/mmimdb/dataset/<7-digit id>.json   (IMDbPY-style: "title", "plot" list, "genres", ...)
    OUT/features/cloud_vision/<id>.json                          (Cloud Vision AnnotateImageResponse, camelCase)

Plots have 1-3 entries of 80-400 words (some with an ``::author`` suffix), OCR text 10-150 words, 5-10 labels,
1-5 objects, 0-4 faces, 1-4 genres from the 23 (plus an occasional dropped one). Each genre has signature words that
appear in its films' plots, so a model can learn something. Seeded: the same arguments give the same files.

    python scripts/make_synthetic_mmimdb.py OUT --train 3000 --dev 500 --test 500 [--words VOCAB.txt]
"""
import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from dm2s2_allennlp.dataset_readers.mmimdb import MMIMDB_GENRES  # noqa: E402

FALLBACK_WORDS = ("time year people way day man thing woman life child world school state family student group "
                  "country problem hand part place case week company system program question work government "
                  "number night point home water room mother area money story fact month lot right study book eye "
                  "job word business issue side kind head house service friend father power hour game line end "
                  "member law car city community name president team minute idea kid body information back parent "
                  "face others level office door health person art war history party result change morning reason "
                  "research girl guy moment air teacher force education").split()


def words_from(path):
    if not path:
        return FALLBACK_WORDS
    with open(path, encoding="utf-8") as handle:
        words = [w.strip() for w in handle if w.strip().isalpha() and w.strip().islower() and len(w.strip()) > 2]
    return words[2000:12000] or FALLBACK_WORDS


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--train", type=int, default=3000)
    parser.add_argument("--dev", type=int, default=500)
    parser.add_argument("--test", type=int, default=500)
    parser.add_argument("--words", default=None, help="a vocabulary file to draw words from (e.g. a vocab.txt)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    words = words_from(args.words)
    signature = {g: rng.sample(words, 15) for g in MMIMDB_GENRES}
    root, features = os.path.join(args.out, "mmimdb"), os.path.join(args.out, "features", "cloud_vision")
    os.makedirs(os.path.join(root, "dataset"), exist_ok=True)
    os.makedirs(features, exist_ok=True)

    def text(n, genres=()):
        pool = [w for g in genres for w in signature[g]]
        return " ".join(rng.choice(pool) if pool and rng.random() < 0.08 else rng.choice(words) for _ in range(n))

    splits, next_id = {}, 100000
    for split, size in (("train", args.train), ("dev", args.dev), ("test", args.test)):
        ids = []
        for _ in range(size):
            film_id = f"{next_id:07d}"
            next_id += 7
            genres = rng.sample(MMIMDB_GENRES[:12], rng.randint(1, 3)) + \
                (rng.sample(MMIMDB_GENRES[12:], 1) if rng.random() < 0.3 else [])
            plots = [text(rng.randint(80, 400), genres) + ("::" + rng.choice(words) if rng.random() < 0.5 else "")
                     for _ in range(rng.randint(1, 3))]
            film = {"title": text(rng.randint(1, 5)).title(), "year": rng.randint(1920, 2015), "kind": "movie",
                    "genres": genres + (["News"] if rng.random() < 0.02 else []), "plot": plots,
                    "rating": round(rng.uniform(1, 10), 1), "votes": rng.randint(5, 500000)}
            with open(os.path.join(root, "dataset", f"{film_id}.json"), "w", encoding="utf-8") as handle:
                json.dump(film, handle)
            response = {
                "textAnnotations": [{"locale": "en", "description": text(rng.randint(10, 150)).upper()}],
                "labelAnnotations": [{"description": w, "score": round(1 - i * 0.05, 2)}
                                     for i, w in enumerate(rng.sample(words, rng.randint(5, 10)))],
                "localizedObjectAnnotations": [{"name": w, "score": 0.9} for w in rng.sample(words, rng.randint(1, 5))],
                "faceAnnotations": [{"detectionConfidence": 0.9}] * rng.randint(0, 4),
            }
            with open(os.path.join(features, f"{film_id}.json"), "w", encoding="utf-8") as handle:
                json.dump(response, handle)
            ids.append(film_id)
        splits[split] = ids
    with open(os.path.join(root, "split.json"), "w", encoding="utf-8") as handle:
        json.dump(splits, handle)
    print(json.dumps({"out": args.out, **{k: len(v) for k, v in splits.items()}}))


if __name__ == "__main__":
    main()
