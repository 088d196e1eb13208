"""Gradient-boosted trees (LightGBM) for each task: one regression booster, one binary or multiclass booster, or one
binary booster per label, each stopped early on validation data; predictions are probabilities ``(n, K)`` or values.
Boosters can be written as LightGBM's model text and rebuilt from it (``predict_with``)."""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np


def _boost(objective: Dict[str, Any], x_train, y_train, x_valid, y_valid, seed: int, rounds: int,
           early_stopping_rounds: int, extra: Dict[str, Any]):
    import lightgbm

    params = {"learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 10, "feature_fraction": 0.9,
              "verbosity": -1, "seed": seed, "deterministic": True, "force_row_wise": True, **objective, **extra}
    train_set = lightgbm.Dataset(x_train, label=y_train)
    valid_set = lightgbm.Dataset(x_valid, label=y_valid, reference=train_set)
    return lightgbm.train(params, train_set, num_boost_round=rounds, valid_sets=[valid_set],
                          callbacks=[lightgbm.early_stopping(early_stopping_rounds, verbose=False)])


Boosters = List[Optional[Any]]  # a multi-label task's label never seen in training has None (always 0)


def _fit_regression(num_outputs: int, x_train, y_train, x_valid, y_valid, **kwargs) -> Boosters:
    return [_boost({"objective": "regression"}, x_train, y_train, x_valid, y_valid, **kwargs)]


def _fit_single_label(num_outputs: int, x_train, y_train, x_valid, y_valid, **kwargs) -> Boosters:
    objective = {"objective": "binary"} if num_outputs == 2 else {"objective": "multiclass", "num_class": num_outputs}
    return [_boost(objective, x_train, y_train, x_valid, y_valid, **kwargs)]


def _fit_per_label(num_outputs: int, x_train, y_train, x_valid, y_valid, **kwargs) -> Boosters:
    return [None if y_train[:, k].sum() == 0 else
            _boost({"objective": "binary"}, x_train, np.ascontiguousarray(y_train[:, k]), x_valid,
                   np.ascontiguousarray(y_valid[:, k]), **kwargs) for k in range(num_outputs)]


# the boosting that fits each task head: one regression booster, one binary/multiclass booster, one per label
FITTERS = {"regression": _fit_regression, "classification": _fit_single_label, "multilabel": _fit_per_label}


def fit_lightgbm(task: str, num_outputs: int, x_train, y_train: np.ndarray, x_valid, y_valid: np.ndarray,
                 seed: int = 13, rounds: int = 1000, early_stopping_rounds: int = 50,
                 extra: Optional[Dict[str, Any]] = None) -> Boosters:
    """Train the task's booster(s); ``predict_with`` is their one prediction path."""
    return FITTERS[task](num_outputs, x_train, y_train, x_valid, y_valid, seed=seed, rounds=rounds,
                         early_stopping_rounds=early_stopping_rounds, extra=extra or {})


def predict_with(task: str, boosters: Boosters, x) -> np.ndarray:
    """Probabilities ``(n, K)`` or values of fitted or rebuilt ``boosters`` for ``task``. LightGBM predicts with a
    booster's best iteration when it has one (fitted with early stopping), and a rebuilt booster's text is cut there
    (``booster_texts``), so both give the same numbers."""
    if task == "multilabel":
        return np.stack([np.zeros(x.shape[0]) if b is None else b.predict(x) for b in boosters], axis=1)
    values = boosters[0].predict(x)
    if task == "classification" and values.ndim == 1:
        return np.stack([1 - values, values], axis=1)
    return values


def booster_texts(boosters: Sequence[Optional[Any]]) -> List[Optional[str]]:
    """Each booster as LightGBM's model text, cut at its best iteration."""
    return [None if b is None else b.model_to_string(num_iteration=b.best_iteration) for b in boosters]


def boosters_from(texts: Sequence[Optional[str]]) -> List[Optional[Any]]:
    import lightgbm

    return [None if t is None else lightgbm.Booster(model_str=t) for t in texts]
