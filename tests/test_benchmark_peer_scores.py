"""The quality benchmark scores the AutoGluon peers' predictions (written in their own virtualenv) with the package's
heads and the recipe's decision rule: checked here against hand computations, without AutoGluon."""
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks" / "quality"))

from peer_scores import score  # noqa: E402
from real_data import Spec  # noqa: E402


def spec(task):
    return Spec("t", task, ["text"], "+accuracy", ["accuracy"], (0, 0, 0), None, "")


def records(labels):
    return [{"id": str(i), "modalities": {"text": "x"}, "label": label} for i, label in enumerate(labels)]


def test_classification_probabilities_are_matched_by_class_name_and_an_unseen_class_is_zero():
    test = records(["b", "c", "a", "b"])
    # the peer never saw "c" (absent from its training split): it gives no probability for it
    predictions = {"dev": [], "test": [{"b": 0.7, "a": 0.3}, {"a": 0.6, "b": 0.4}, {"a": 0.8, "b": 0.2},
                                       {"a": 0.45, "b": 0.55}]}
    metrics = score(spec("classification"), predictions, test, [], test)
    assert metrics["test_accuracy"] == pytest.approx(3 / 4)  # b right, c wrong (said a), a right, b right


def test_multilabel_thresholds_are_tuned_on_dev_for_micro_f1_and_every_record_gets_a_label():
    dev = records([["x"], ["x"], ["y"], ["y", "x"]])
    every = dev + records([["z"]])
    # x: positives at 0.30, negatives at 0.10 -> a threshold in between; y: positives 0.8 / 0.9, negatives 0.6
    predictions = {"classes": ["x", "y"], "dev": [[0.30, 0.6], [0.30, 0.6], [0.10, 0.8], [0.30, 0.9]],
                   "test": [[0.35, 0.1], [0.05, 0.65], [0.15, 0.85]]}
    test = records([["x"], ["y"], ["x", "y"]])
    metrics = score(spec("multilabel"), predictions, every, dev, test)
    # cuts at the midpoints: x 0.2, y 0.7. Predicted: {x} (0.35 over x's cut, 0.1 under y's), {y} (nothing over a
    # cut: the closest, y 0.65 vs 0.7, beats x 0.05 vs 0.2), {y} (x's 0.15 under its cut) -> tp 3, fp 0, fn 1
    assert metrics["test_f1_micro"] == pytest.approx(2 * 3 / (2 * 3 + 0 + 1))


def test_regression_values_are_scored_as_given():
    test = [dict(r, label=v) for r, v in zip(records([0, 0, 0]), [1.0, 2.0, 4.0])]
    metrics = score(Spec("t", "regression", ["text"], "-rmse", ["rmse"], (0, 0, 0), None, ""),
                    {"dev": [], "test": [1.0, 3.0, 2.0]}, test, [], test)
    assert metrics["test_rmse"] == pytest.approx(math.sqrt((0 + 1 + 4) / 3), rel=1e-5)
