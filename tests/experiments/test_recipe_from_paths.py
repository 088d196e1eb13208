"""The recipe trains on a user's files with nothing but their paths (issue 25): on each generic fixture task, the
real recipe file and its real encoder. The facts the reader infers are settled before the run (issue 35): the
run's config.json states them from the start, so evaluating a file that names the modalities in another order reads
them in the training order; AllenNLP's own train_model on an unsettled config is refused before training, with the
-o that states them."""
import json

import pytest
from allennlp.commands.train import train_model
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import DataLoader
from allennlp.models.archival import load_archive
from allennlp.training.util import evaluate

from dm2s2_allennlp.training.settled_train import train_settled
from tests.conftest import FIXTURES, ROOT

RECIPE = ROOT / "experiments" / "quickstart" / "movies_dm2s2.jsonnet"
EXPECTED = {  # what the reader must infer from each fixture, and the metric main_score is
    "multilabel": (["title", "year", "length", "labels", "faces", "extra"], "f1_micro", 1.0),
    "classification": (["transcription", "message", "natural", "faces"], "accuracy", 1.0),
    "regression": (["keyword", "title", "lp_text", "performance"], "rmse", -1.0),
}


@pytest.mark.parametrize("task", sorted(EXPECTED))
def test_the_recipe_trains_from_data_paths_alone(task, tmp_path, monkeypatch):
    monkeypatch.setenv("DM2S2_CACHE_DIR", str(tmp_path / "cache"))
    data = str(FIXTURES / "generic" / f"{task}.jsonl")
    params = Params.from_file(str(RECIPE), json.dumps({"train_data_path": data, "validation_data_path": data,
                                                       "trainer.num_epochs": 2}))  # 2 of 12 epochs: test time
    assert "test_data_path" not in params and "modalities" not in params["dataset_reader"]  # nothing else read
    model = train_settled(params, str(tmp_path / "run"))
    modalities, main, sign = EXPECTED[task]
    assert model.modalities == modalities and model.head.task == task
    stated = json.loads((tmp_path / "run" / "config.json").read_text())["dataset_reader"]
    assert stated["modalities"] == modalities and stated["task"] == task  # what the archive's reader will use
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["best_validation_main_score"] == pytest.approx(sign * metrics[f"best_validation_{main}"])

    # a file naming the modalities in reverse order is read in the training order, and scores the same
    records = [json.loads(line) for line in open(data, encoding="utf-8") if line.strip()]
    for record in records:
        record["modalities"] = dict(reversed(list(record["modalities"].items())))
    reversed_file = tmp_path / "reversed.jsonl"
    reversed_file.write_text("".join(json.dumps(r) + "\n" for r in records))
    archive = load_archive(str(tmp_path / "run" / "model.tar.gz"))
    assert archive.dataset_reader.modalities == modalities

    def score(path):
        loader = DataLoader.from_params(Params({"batch_size": 8}), reader=archive.dataset_reader, data_path=path)
        loader.index_with(archive.model.vocab)
        return evaluate(archive.model, loader, cuda_device=-1)

    assert score(str(reversed_file)) == pytest.approx(score(data))

    # a reader that still infers (a config without the stated facts): the predictor gives it the model's modalities
    from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
    from dm2s2_allennlp.predictors.dm2s2 import DM2S2Predictor

    inferring = MultimodalJsonlReader(transformer_model_name=archive.dataset_reader.encoder_name, max_length=128)
    predictor = DM2S2Predictor(archive.model, inferring)
    assert inferring.modalities == modalities and inferring.task == task
    output = predictor.predict_json(records[0])
    assert list(output["inter_weights"]) == modalities


def test_allennlps_own_train_model_refuses_facts_inferred_mid_run_naming_the_override(tmp_path, monkeypatch):
    monkeypatch.setenv("DM2S2_CACHE_DIR", str(tmp_path / "cache"))
    data = str(FIXTURES / "generic" / "classification.jsonl")
    params = Params.from_file(str(RECIPE), json.dumps({"train_data_path": data, "validation_data_path": data}))
    with pytest.raises(ConfigurationError, match="dm2s2 train") as error:
        train_model(params, str(tmp_path / "run"))
    stated = json.loads(str(error.value.message).split("-o '")[1].rstrip("'"))
    assert stated == {"dataset_reader.modalities": EXPECTED["classification"][0],
                      "dataset_reader.task": "classification"}
    assert not (tmp_path / "run" / "best.th").exists()  # refused before any epoch
