"""The blend (a stacked ensemble, as AutoGluon builds): LightGBM (without and with text statistics) and a linear model
fitted when `allennlp train` ends, carried by the archive in plain values and tensors, and applied as the weighted
sum of the model's and the partners' scores in evaluation and prediction; an archive of 0.7 (LightGBM alone, one
weight) predicts as before."""
import json

import numpy as np
import pytest
import torch
from allennlp.commands.train import train_model
from allennlp.common import Params
from allennlp.models.archival import load_archive
from allennlp.predictors import Predictor

from dm2s2_allennlp.heads.lightgbm_blend import WEIGHTS
from tests.conftest import FIXTURES


@pytest.mark.parametrize("task", ["classification", "regression", "multilabel"])
def test_the_blend_is_fitted_archived_and_applied(tmp_path, task):
    params = Params.from_file(str(FIXTURES / "configs" / f"{task}.jsonnet"),
                              json.dumps({"model.blend_with_lightgbm": True, "trainer.num_epochs": 2}))
    train_model(params, str(tmp_path / "run"))
    archive = load_archive(str(tmp_path / "run" / "model.tar.gz"))
    blend = archive.model.head.blend
    assert blend.fitted and blend.weights in WEIGHTS and blend.boosters and blend.boosters_statistics
    assert blend.linear is not None
    state = archive.model.state_dict()["head.blend._extra_state"]
    assert isinstance(state["boosters"][0] or "", str) and isinstance(state["features"]["modalities"], list)
    assert state["features"]["text_statistics"] and isinstance(state["linear"]["coef"], torch.Tensor)
    records = [json.loads(line) for line in (FIXTURES / "generic" / f"{task}.jsonl").read_text().splitlines()]
    predictor = Predictor.from_archive(archive)
    outputs = [predictor.predict_json(r) for r in records]
    # by hand: the model's own scores (blend switched off) mixed with LightGBM's on the records' texts
    instances = [predictor._json_to_instance(dict(r, __input_record__="r")) for r in records]
    texts = [i["metadata"]["modality_texts"] for i in instances]
    weights, blend.weights = blend.weights, (1.0, 0.0, 0.0)
    alone = [predictor.predict_instance(i) for i in instances]
    blend.weights = weights
    partners = blend.partner_scores(texts)
    for r, (output, own) in enumerate(zip(outputs, alone)):
        if task == "regression":
            mixed = weights[0] * own["prediction"] + sum(w * float(p[r]) for w, p in zip(weights[1:], partners))
            assert output["prediction"] == pytest.approx(mixed, abs=1e-4)
        else:
            names = list(own["label_probs"])
            mixed = [weights[0] * own["label_probs"][n] + sum(w * float(np.ravel(p[r])[k])
                                                              for w, p in zip(weights[1:], partners))
                     for k, n in enumerate(names)]
            assert [output["label_probs"][n] for n in names] == pytest.approx(mixed, abs=1e-5)
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics  # training finished and the archive was written with the fitted blend


def regression_records(n=400):
    rng = np.random.RandomState(0)
    x = rng.uniform(0, 10, n)
    y = 2 * x + rng.normal(0, 0.5, n)
    return rng, [{"x": str(round(v, 3)), "note": "a"} for v in x], y


def test_the_weights_minimise_the_validation_loss():
    from dm2s2_allennlp.heads.lightgbm_blend import LightGbmBlend

    rng, texts, y = regression_records()
    model = torch.tensor(y[300:] + rng.normal(0, 3.0, 100))  # a noisier "model" than the partners will be
    gold = torch.tensor(y[300:])

    def loss(scores):
        return float(((scores - gold) ** 2).mean())

    blend = LightGbmBlend("regression", n_features=16)
    blend.fit_partners(texts[:300], y[:300], texts[300:], y[300:], 1)
    weights = blend.choose_weights(model, texts[300:], loss)
    partners = [torch.tensor(p) for p in blend.partner_scores(texts[300:])]  # LightGBM, + statistics, linear
    by_hand = [loss(a * model + b * partners[0] + c * partners[1] + d * partners[2]) for a, b, c, d in WEIGHTS]
    assert weights == WEIGHTS[int(np.argmin(by_hand))] and weights[0] < 0.5  # the partners carry the blend
    torch.testing.assert_close(blend.apply(model, texts[300:]),
                               weights[0] * model + sum(w * p for w, p in zip(weights[1:], partners)))
    restored = LightGbmBlend("regression")
    restored.set_extra_state(blend.get_extra_state())
    for mine, theirs in zip(restored.partner_scores(texts[300:]), partners):
        np.testing.assert_allclose(mine, theirs.numpy())


def test_an_archive_of_0_7_loads_and_blends_as_before():
    """0.7's state: one weight for LightGBM, features without text statistics, no linear model."""
    from dm2s2_allennlp.gbm import RecordFeatures, booster_texts, fit_lightgbm, predict_with
    from dm2s2_allennlp.heads.lightgbm_blend import LightGbmBlend

    _, texts, y = regression_records()
    features = RecordFeatures(["x", "note"], 16).fit(texts[:300])
    boosters = fit_lightgbm("regression", 1, features.transform(texts[:300]), y[:300], features.transform(texts[300:]),
                            y[300:])
    old = {"weight": 0.4, "features": {"modalities": ["x", "note"], "numeric": ["x"], "n_features": 16},
           "boosters": booster_texts(boosters)}
    blend = LightGbmBlend("regression")
    blend.set_extra_state(old)
    model = torch.tensor(y[300:], dtype=torch.float64)
    expected = 0.6 * model + 0.4 * torch.tensor(predict_with("regression", boosters, features.transform(texts[300:])))
    torch.testing.assert_close(blend.apply(model, texts[300:]), expected)
    assert blend.weights == (0.6, 0.4, 0.0, 0.0) and blend.linear is None and not blend.boosters_statistics
    assert not blend.features.text_statistics
