"""Deterministic, seeded, stratified k-fold assignment (used by ``ads_parallelity`` and the cross-validation tools):
scikit-learn's ``StratifiedKFold(k, shuffle=True, random_state=seed)`` over the keys in sorted order, so the folds
are a pure function of the keys, their strata, ``k`` and ``seed`` (not of the order the keys come in). Within every
stratum the fold sizes differ by at most one; every key lands in exactly one fold. A stratum with fewer keys than
folds is expected here (a rare fine class) and is spread as far as it goes, without scikit-learn's warning.
"""
import warnings
from typing import Dict, Hashable, Mapping

from sklearn.model_selection import StratifiedKFold


def stratified_folds(strata: Mapping[str, Hashable], k: int = 5, seed: int = 13) -> Dict[str, int]:
    """``{key: stratum}`` -> ``{key: fold index in 0..k-1}``."""
    if k < 2:
        raise ValueError(f"need at least 2 folds, got {k}")
    keys = sorted(strata)
    labels = [str(strata[key]) for key in keys]
    folds: Dict[str, int] = {}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class in y has only")
        splits = StratifiedKFold(k, shuffle=True, random_state=seed).split(keys, labels)
        for fold, (_, held_out) in enumerate(splits):
            for index in held_out:
                folds[keys[index]] = fold
    return folds
