"""The partner study blends candidate partners with a trained network's saved scores by the blend's rule: the
weights of the lowest validation loss on the 0.05 grid, and that choice's loss cross-validated on the validation
records. Checked against hand computations."""
import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks" / "quality"))

from partner_study import blend  # noqa: E402

from dm2s2_allennlp.gbm.linear import record_losses  # noqa: E402


def test_each_records_loss_by_hand():
    assert record_losses("regression", np.array([1.0, 3.0]), np.array([0.0, 1.0])).tolist() == [1.0, 4.0]
    probs = np.array([[0.25, 0.75], [0.5, 0.5]])
    assert record_losses("classification", probs, np.array([1, 0])) == pytest.approx([-math.log(0.75), -math.log(0.5)])
    multi = record_losses("multilabel", np.array([[0.8, 0.1]]), np.array([[1.0, 0.0]]))
    assert multi == pytest.approx([-(math.log(0.8) + math.log(0.9)) / 2])


def test_the_weights_and_their_cross_validated_loss_by_hand():
    # the model is 1 too high everywhere, the partner 1 too low: half of each is exact on every record
    gold = np.zeros(10)
    model = {"dev": np.ones(10), "test": np.full(4, 3.0)}
    partner = {"dev": -np.ones(10), "test": np.full(4, -1.0)}
    loss, cross_validated, weights, blended = blend("regression", model, [partner], gold)
    assert weights == [0.5, 0.5] and loss == 0.0 and cross_validated == 0.0
    assert blended["test"].tolist() == [1.0] * 4  # 0.5 * 3 + 0.5 * -1


def test_a_useless_partner_gets_no_weight_and_the_held_out_loss_is_not_below_the_in_sample_one():
    rng = np.random.RandomState(0)
    gold = rng.normal(size=50)
    model = {"dev": gold + rng.normal(0, 0.3, 50), "test": np.zeros(3)}
    noise = {"dev": rng.normal(0, 3, 50), "test": np.ones(3)}
    loss, cross_validated, weights, _ = blend("regression", model, [noise], gold)
    losses = [np.mean(((1 - w) * model["dev"] + w * noise["dev"] - gold) ** 2) for w in np.arange(21) / 20]
    assert weights[1] == np.argmin(losses) / 20 and weights[1] <= 0.05
    assert loss == pytest.approx(min(losses)) and cross_validated >= loss - 1e-12
