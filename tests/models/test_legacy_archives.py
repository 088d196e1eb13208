"""Archives trained before the model was split into encoder, fusion and head (flat configs: ``task``,
``transformer_model_name``, ``mlp_hidden_dims`` on the model; class weights at ``class_weights``) load with the
current code, say how to write the config now, and predict exactly what they predicted then (the predictions were
written by the code that trained them: ``fixtures/archives/*.predictions.jsonl``)."""
import json
import logging

import pytest
from allennlp.models.archival import load_archive
from allennlp.predictors import Predictor

from tests.conftest import FIXTURES

ARCHIVES = FIXTURES / "archives"


def flat(value, prefix=""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from flat(inner, f"{prefix}.{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from flat(inner, f"{prefix}[{i}]")
    else:
        yield prefix, value


@pytest.mark.parametrize("task", ["multilabel", "regression"])
def test_flat_layout_archive_predicts_as_it_did(task, caplog):
    with caplog.at_level(logging.WARNING):
        archive = load_archive(str(ARCHIVES / f"legacy_dm2s2_{task}.tar.gz"))
    assert any("flat layout" in r.getMessage() for r in caplog.records)
    head = archive.model.head
    assert type(head).__name__ == {"multilabel": "MultilabelHead", "regression": "RegressionHead"}[task]
    predictor = Predictor.from_archive(archive)
    with open(FIXTURES / "generic" / f"{task}.jsonl") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    with open(ARCHIVES / f"legacy_dm2s2_{task}.predictions.jsonl") as handle:
        expected = [json.loads(line) for line in handle]
    assert len(records) == len(expected)
    for record, then in zip(records, expected):
        now = dict(flat(predictor.predict_json(record)))
        for key, value in flat(then):
            if isinstance(value, float):
                assert now[key] == pytest.approx(value, abs=1e-6), key
            else:
                assert now[key] == value, key
