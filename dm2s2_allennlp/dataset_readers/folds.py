"""Deterministic, seeded, stratified k-fold assignment (used by ``ads_parallelity`` and the cross-validation tools):
scikit-learn's ``StratifiedKFold(k, shuffle=True, random_state=seed)`` over the keys in sorted order, so the folds
are a pure function of the keys, their strata, ``k`` and ``seed`` (not of the order the keys come in). Within every
stratum the fold sizes differ by at most one; every key lands in exactly one fold. A stratum with fewer keys than
folds is expected here (a rare fine class) and is spread as far as it goes, without scikit-learn's warning; when
every stratum is smaller than the fold count, ``KFold`` deals the keys unstratified.
"""
import warnings
from typing import Dict, Hashable, Mapping

from sklearn.model_selection import KFold, StratifiedKFold


def stratified_folds(strata: Mapping[str, Hashable], k: int = 5, seed: int = 13) -> Dict[str, int]:
    """``{key: stratum}`` -> ``{key: fold index in 0..k-1}``."""
    if k < 2:
        raise ValueError(f"need at least 2 folds, got {k}")
    keys = sorted(strata)
    labels = [str(strata[key]) for key in keys]
    folds: Dict[str, int] = {}
    if len(keys) < 2:
        return {key: 0 for key in keys}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class in y has only")
        splits = min(k, len(keys))  # more folds than keys: one key a fold, the rest empty (callers say so)
        try:
            held_outs = [part for _, part in StratifiedKFold(splits, shuffle=True, random_state=seed)
                         .split(keys, labels)]
        except ValueError:  # every stratum smaller than the fold count: nothing to stratify
            held_outs = [part for _, part in KFold(splits, shuffle=True, random_state=seed).split(keys)]
        for fold, held_out in enumerate(held_outs):
            for index in held_out:
                folds[keys[index]] = fold
    return folds
