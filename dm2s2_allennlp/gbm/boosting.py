"""Gradient-boosted trees (LightGBM) for each task: one regression booster, one binary or multiclass booster, or one
binary booster per label, each stopped early on validation data; predictions are probabilities ``(n, K)`` or values.
Boosters can be written as LightGBM's model text and rebuilt from it (``predict_with``)."""
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

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


Fitted = Tuple[List[Any], Callable[[Any], np.ndarray]]


def _fit_regression(num_outputs: int, x_train, y_train, x_valid, y_valid, **kwargs) -> Fitted:
    booster = _boost({"objective": "regression"}, x_train, y_train, x_valid, y_valid, **kwargs)
    return [booster], lambda x: booster.predict(x, num_iteration=booster.best_iteration)


def _fit_single_label(num_outputs: int, x_train, y_train, x_valid, y_valid, **kwargs) -> Fitted:
    if num_outputs == 2:
        booster = _boost({"objective": "binary"}, x_train, y_train, x_valid, y_valid, **kwargs)

        def predict_binary(x):
            p = booster.predict(x, num_iteration=booster.best_iteration)
            return np.stack([1 - p, p], axis=1)
        return [booster], predict_binary
    booster = _boost({"objective": "multiclass", "num_class": num_outputs}, x_train, y_train, x_valid, y_valid,
                     **kwargs)
    return [booster], lambda x: booster.predict(x, num_iteration=booster.best_iteration)


def _fit_per_label(num_outputs: int, x_train, y_train, x_valid, y_valid, **kwargs) -> Fitted:
    boosters: List[Any] = []
    for k in range(num_outputs):
        if y_train[:, k].sum() == 0:
            boosters.append(None)  # never seen in training: always 0
            continue
        boosters.append(_boost({"objective": "binary"}, x_train, np.ascontiguousarray(y_train[:, k]), x_valid,
                               np.ascontiguousarray(y_valid[:, k]), **kwargs))

    def predict_multilabel(x):
        columns = [np.zeros(x.shape[0]) if b is None else b.predict(x, num_iteration=b.best_iteration)
                   for b in boosters]
        return np.stack(columns, axis=1)
    return boosters, predict_multilabel


# the boosting that fits each task head: one regression booster, one binary/multiclass booster, one per label
FITTERS = {"regression": _fit_regression, "classification": _fit_single_label, "multilabel": _fit_per_label}


def fit_lightgbm(task: str, num_outputs: int, x_train, y_train: np.ndarray, x_valid, y_valid: np.ndarray,
                 seed: int = 13, rounds: int = 1000, early_stopping_rounds: int = 50,
                 extra: Optional[Dict[str, Any]] = None) -> Fitted:
    """Train the task's booster(s); returns them and ``predict(x)`` -> probabilities (``(n, K)``) or values."""
    return FITTERS[task](num_outputs, x_train, y_train, x_valid, y_valid, seed=seed, rounds=rounds,
                         early_stopping_rounds=early_stopping_rounds, extra=extra or {})


def predict_with(task: str, boosters: Sequence[Optional[Any]], x) -> np.ndarray:
    """Predictions of fitted (or rebuilt) ``boosters`` for ``task``, as ``fit_lightgbm``'s ``predict`` gives them."""
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
