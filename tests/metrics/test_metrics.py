import numpy as np
import pytest
import torch
from sklearn.metrics import f1_score

from dm2s2_allennlp.metrics import MultilabelF1, RegressionErrors


def test_multilabel_f1_matches_sklearn_over_several_batches():
    rng = np.random.RandomState(0)
    gold = (rng.rand(50, 6) < 0.3).astype(int)
    gold[3] = 0  # a sample with no label
    gold[:, 5] = 0  # a class that never occurs
    probs = rng.rand(50, 6)
    metric = MultilabelF1(threshold=0.5)
    for chunk in np.array_split(np.arange(50), 4):
        metric(torch.tensor(probs[chunk]), torch.tensor(gold[chunk]))
    result = metric.get_metric(reset=True)
    predicted = (probs >= 0.5).astype(int)
    for average in ("micro", "macro", "samples"):
        expected = f1_score(gold, predicted, average=average, zero_division=0)
        assert result[f"f1_{average}"] == pytest.approx(expected, abs=1e-12)
    assert metric.get_metric() == {"f1_micro": 0.0, "f1_macro": 0.0, "f1_samples": 0.0}


def test_regression_errors_by_hand():
    metric = RegressionErrors()
    metric(torch.tensor([1.0, 2.0]), torch.tensor([2.0, 2.0]))
    metric(torch.tensor([0.5, 4.0]), torch.tensor([0.0, 2.0]))
    result = metric.get_metric(reset=True)
    # errors -1, 0, 0.5, 2 over 4 samples
    assert result["rmse"] == pytest.approx(((1 + 0 + 0.25 + 4) / 4) ** 0.5)
    assert result["mae"] == pytest.approx((1 + 0 + 0.5 + 2) / 4)
    assert result["mape"] == pytest.approx((1 / 2 + 0 + 2 / 2) / 3)  # y = 0 left out
    assert result["mape_excluded"] == 1
