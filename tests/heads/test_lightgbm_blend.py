"""The LightGBM blend (a stacked ensemble, as AutoGluon builds): fitted when `allennlp train` ends, carried by the
archive in plain values, and applied as (1 - w) * model + w * LightGBM in evaluation and prediction."""
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
    assert blend.fitted and blend.weight in WEIGHTS and blend.boosters
    state = archive.model.state_dict()["head.blend._extra_state"]
    assert isinstance(state["boosters"][0] or "", str) and isinstance(state["features"]["modalities"], list)
    records = [json.loads(line) for line in (FIXTURES / "generic" / f"{task}.jsonl").read_text().splitlines()]
    predictor = Predictor.from_archive(archive)
    outputs = [predictor.predict_json(r) for r in records]
    # by hand: the model's own scores (blend switched off) mixed with LightGBM's on the records' texts
    instances = [predictor._json_to_instance(dict(r, __input_record__="r")) for r in records]
    texts = [i["metadata"]["modality_texts"] for i in instances]
    weight, blend.weight = blend.weight, 0.0
    alone = [predictor.predict_instance(i) for i in instances]
    blend.weight = weight
    other = blend.predict(texts)
    for output, own, row in zip(outputs, alone, other):
        if task == "regression":
            assert output["prediction"] == pytest.approx((1 - weight) * own["prediction"] + weight * float(row),
                                                         abs=1e-5)
        else:
            names = list(own["label_probs"])
            mixed = [(1 - weight) * own["label_probs"][n] + weight * float(np.ravel(row)[k]) for k, n in
                     enumerate(names)]
            assert [output["label_probs"][n] for n in names] == pytest.approx(mixed, abs=1e-5)
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics  # training finished and the archive was written with the fitted blend


def test_the_weight_minimises_the_validation_loss():
    from dm2s2_allennlp.heads.lightgbm_blend import LightGbmBlend

    rng = np.random.RandomState(0)
    x = rng.uniform(0, 10, 400)
    y = 2 * x + rng.normal(0, 0.5, 400)
    texts = [{"x": str(round(v, 3)), "note": "a"} for v in x]
    model = torch.tensor(y[300:] + rng.normal(0, 3.0, 100))  # a noisier "model" than LightGBM will be
    gold = torch.tensor(y[300:])

    def loss(scores):
        return float(((scores - gold) ** 2).mean())

    blend = LightGbmBlend("regression", n_features=16)
    blend.fit_boosters(texts[:300], y[:300], texts[300:], y[300:], 1)
    weight = blend.choose_weight(model, texts[300:], loss)
    other = torch.tensor(blend.predict(texts[300:]))
    by_hand = [loss((1 - w) * model + w * other) for w in WEIGHTS]
    assert weight == WEIGHTS[int(np.argmin(by_hand))] and 0.5 < weight <= 1.0
    torch.testing.assert_close(blend.apply(model, texts[300:]), (1 - weight) * model + weight * other)
    restored = LightGbmBlend("regression")
    restored.set_extra_state(blend.get_extra_state())
    np.testing.assert_allclose(restored.predict(texts[300:]), other.numpy())
