"""The blend's linear partner: it learns, its strength is the validation loss's choice, a class it never saw gets
probability 0, a constant label its training rate, and its state (weights_only) predicts the same numbers."""
import io

import numpy as np
import pytest
import torch

from dm2s2_allennlp.gbm.linear import STRENGTHS, LinearModel, proper_loss

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon"]


def records(n, seed):
    rng = np.random.RandomState(seed)
    texts = [{"text": " ".join(rng.choice(WORDS, 3)), "number": None if i % 7 == 0 else str(rng.randint(0, 50))}
             for i in range(n)]
    return texts, np.array([("alpha" in t["text"]) + ("beta" in t["text"]) for t in texts])


def roundtrip(model):
    buffer = io.BytesIO()
    torch.save(model.to_state(), buffer)
    buffer.seek(0)
    return LinearModel.from_state(torch.load(buffer, weights_only=True))


@pytest.mark.parametrize("task", ["classification", "regression", "multilabel"])
def test_it_learns_and_its_state_predicts_the_same(task):
    (train, y_train), (valid, y_valid) = records(300, 0), records(100, 1)
    if task == "regression":
        y_train, y_valid = y_train.astype(float), y_valid.astype(float)
    if task == "multilabel":
        y_train = np.stack([y_train > 0, y_train > 1], 1).astype(np.float32)
        y_valid = np.stack([y_valid > 0, y_valid > 1], 1).astype(np.float32)
    outputs = 3 if task == "classification" else 2
    model = LinearModel(task, ["number"]).fit(train, y_train, valid, y_valid, outputs)
    scores = model.predict(valid)
    if task == "classification":
        assert (scores.argmax(1) == y_valid).mean() >= 0.9 and np.allclose(scores.sum(1), 1.0)
    elif task == "regression":
        assert np.sqrt(np.mean((scores - y_valid) ** 2)) < 0.25 * y_valid.std()
    else:
        assert ((scores > 0.5) == y_valid).mean() >= 0.9
    np.testing.assert_array_equal(roundtrip(model).predict(valid), scores)


def test_the_strength_has_the_lowest_validation_loss():
    (train, y_train), (valid, y_valid) = records(200, 0), records(80, 1)
    y_train[:40] = 0  # noise, so that the strengths differ
    model = LinearModel("classification", ["number"]).fit(train, y_train, valid, y_valid, 3)
    x_train, x_valid = model.matrix(train), model.matrix(valid)
    by_hand = [proper_loss("classification", model._predict(x_valid, *model._fit_one(s, x_train, y_train, 3, 13)),
                           y_valid) for s in STRENGTHS]
    assert model.strength == STRENGTHS[int(np.argmin(by_hand))]


def test_an_unseen_class_gets_zero_and_a_constant_label_its_rate():
    (train, y_train), (valid, y_valid) = records(200, 0), records(50, 1)
    single = LinearModel("classification").fit(train, y_train, valid, y_valid, 4)  # class 3: never in training
    probs = single.predict(valid)
    assert probs.shape == (50, 4) and (probs[:, 3] == 0).all() and np.allclose(probs.sum(1), 1.0)
    labels = np.stack([y_train > 0, np.zeros(200)], 1).astype(np.float32)  # label 1: no training record has it
    multi = LinearModel("multilabel").fit(train, labels, valid, np.zeros((50, 2), np.float32), 2)
    assert np.allclose(multi.predict(valid)[:, 1], 1e-4)


def test_records_of_numbers_only_still_fit():
    texts = [{"n": str(i)} for i in range(40)]
    y = np.arange(40, dtype=float)
    model = LinearModel("regression", ["n"]).fit(texts[:30], y[:30], texts[30:], y[30:], 1)
    assert model.vectorizers == [] and np.isfinite(model.predict(texts[30:])).all()
