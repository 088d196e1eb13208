"""Deterministic, seeded, stratified k-fold assignment (used by ``ads_parallelity`` and the cross-validation tools).

Keys are sorted, split by stratum, each stratum shuffled with Python's ``random.Random(seed)`` (the same sequence on
every machine and Python version >= 3.2), and dealt round-robin into ``k`` folds, continuing the deal from one
stratum to the next so fold sizes differ by at most one. Every key lands in exactly one fold.
"""
import random
from typing import Dict, Hashable, Mapping


def stratified_folds(strata: Mapping[str, Hashable], k: int = 5, seed: int = 13) -> Dict[str, int]:
    """``{key: stratum}`` -> ``{key: fold index in 0..k-1}``."""
    if k < 2:
        raise ValueError(f"need at least 2 folds, got {k}")
    rng = random.Random(seed)
    by_stratum: Dict[Hashable, list] = {}
    for key in sorted(strata):
        by_stratum.setdefault(strata[key], []).append(key)
    folds: Dict[str, int] = {}
    dealt = 0
    for stratum in sorted(by_stratum, key=str):
        keys = by_stratum[stratum]
        rng.shuffle(keys)
        for key in keys:
            folds[key] = dealt % k
            dealt += 1
    return folds
