"""A lead for issue 36 (why AutoGluon Tabular beats the recipe on tweets): one LightGBM on the tweets' three counts,
with and without a dozen text statistics of the kind AutoGluon derives from a text column (length, words, share of
capitals, all-caps words, ! " @ # . , - counts, a link), and with word 1-3-gram counts, early-stopped on the
validation split, accuracy on the test split. Prints one line per feature set.

    .venv/bin/python benchmarks/quality/tweets_text_statistics.py runs/peers/data/tweets
"""
import sys

import lightgbm
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from real_data import read


def counts(records):
    return np.array([[np.nan if r["modalities"].get(k) is None else float(r["modalities"][k])
                      for k in ("retweets", "favorites", "is_retweet")] for r in records])


def statistics(records):
    rows = []
    for r in records:
        text = r["modalities"].get("text") or ""
        words = text.split()
        rows.append([len(text), len(words), sum(c.isupper() for c in text) / max(1, len(text)),
                     sum(w.isupper() and len(w) > 1 for w in words), int("http" in text),
                     *(text.count(mark) for mark in '!"@#.,-')])
    return np.array(rows, dtype=float)


def main(folder):
    train, dev, test = (read(f"{folder}/{split}.jsonl") for split in ("train", "dev", "test"))
    target = {split: np.array([r["label"] == "android" for r in records], dtype=int)
              for split, records in (("train", train), ("dev", dev), ("test", test))}
    ngrams = CountVectorizer(ngram_range=(1, 3), min_df=3, max_features=10000).fit(
        [r["modalities"].get("text") or "" for r in train])

    def features(records, with_statistics, with_ngrams):
        dense = np.hstack([counts(records)] + ([statistics(records)] if with_statistics else []))
        if not with_ngrams:
            return dense
        words = ngrams.transform([r["modalities"].get("text") or "" for r in records])
        return sparse.hstack([sparse.csr_matrix(np.nan_to_num(dense)), words]).tocsr().astype(np.float32)

    for name, with_statistics, with_ngrams in (("counts", False, False), ("counts + text statistics", True, False),
                                               ("counts + word n-grams", False, True),
                                               ("counts + word n-grams + text statistics", True, True)):
        x = {split: features(records, with_statistics, with_ngrams)
             for split, records in (("train", train), ("dev", dev), ("test", test))}
        model = lightgbm.LGBMClassifier(n_estimators=2000, learning_rate=0.03, random_state=13, verbose=-1)
        model.fit(x["train"], target["train"], eval_set=[(x["dev"], target["dev"])],
                  callbacks=[lightgbm.early_stopping(100, verbose=False)])
        print(f"{name}: test accuracy {(model.predict(x['test']) == target['test']).mean():.4f}")


if __name__ == "__main__":
    main(sys.argv[1])
