import math
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


def test_recall_at_95_precision_by_hand():
    from dm2s2_allennlp.metrics import RecallAtPrecision, recall_at_precision

    # sorted by score: + + + - + ...: the top 3 are all right (P = 1, R = 3/4); adding the 4th record costs
    # precision (3/4 < 0.95), the 5th brings 4/5 = 0.8 < 0.95: R@P95 = 0.75
    scores = torch.tensor([0.9, 0.8, 0.7, 0.6, 0.5, 0.1])
    gold = torch.tensor([1, 1, 1, 0, 1, 0])
    assert recall_at_precision(scores, gold, 0.95) == pytest.approx(0.75)
    assert recall_at_precision(scores, gold, 0.8) == pytest.approx(1.0)  # 4 of the top 5 are right: P = 0.8
    # a tie between a positive and a negative cannot be split: both are predicted together (P = 3/4 at 0.7)
    tied = torch.tensor([0.9, 0.8, 0.7, 0.7, 0.5, 0.1])
    assert recall_at_precision(tied, torch.tensor([1, 1, 1, 0, 1, 0]), 0.95) == pytest.approx(0.5)
    assert recall_at_precision(torch.tensor([0.9, 0.1]), torch.tensor([0, 1]), 0.95) == 0.0  # never reached
    assert math.isnan(recall_at_precision(torch.tensor([0.9]), torch.tensor([0]), 0.95))  # no positives: undefined
    # multi-label: all (record, class) pairs pooled; accumulates over batches like the epoch metric does
    metric = RecallAtPrecision(0.95)
    metric(scores[:3].view(3, 1), gold[:3].view(3, 1))
    metric(scores[3:].view(3, 1), gold[3:].view(3, 1))
    assert metric.get_metric(reset=True) == {"recall_at_p95": pytest.approx(0.75)}


def test_recall_at_precision_matches_brute_force_over_thresholds():
    from dm2s2_allennlp.metrics import recall_at_precision

    generator = torch.Generator().manual_seed(0)
    for _ in range(20):
        scores = torch.randint(0, 8, (40,), generator=generator).float() / 8  # many ties
        gold = torch.rand(40, generator=generator) < scores
        best = 0.0
        for threshold in scores.unique():
            predicted = scores >= threshold
            tp = int((predicted & gold).sum())
            if predicted.sum() and tp / int(predicted.sum()) >= 0.9 and gold.sum():
                best = max(best, tp / int(gold.sum()))
        assert recall_at_precision(scores, gold, 0.9) == pytest.approx(best)
