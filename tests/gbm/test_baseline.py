"""The LightGBM baseline: same records, same metric names as the neural models, for every task; it learns on the
real demo films; its features follow the documented rules; results-table normalises by it (Table 4)."""
import json
import math
import subprocess
import sys

import pytest
import torch
from allennlp.common import Params

from dm2s2_allennlp.commands.results_table import collect, parse_rows, render
from dm2s2_allennlp.gbm import RecordFeatures
from dm2s2_allennlp.gbm.baseline import train_lightgbm
from tests.conftest import FIXTURES, ROOT

CONFIGS = FIXTURES / "configs"


def test_features_numbers_as_numbers_and_words_hashed_per_modality():
    texts = [{"title": "Heat", "year": "1995", "mpaa": "R", "budget": None},
             {"title": "Toy Story", "year": "1995", "mpaa": None, "budget": "30000000"},
             {"title": "heat wave", "year": None, "mpaa": "PG", "budget": "0"}]
    features = RecordFeatures(["title", "year", "mpaa", "budget"], n_features=64).fit(texts)
    assert features.numeric == ["year", "budget"]
    x = features.transform(texts).toarray()
    assert x.shape == (3, 64 + 64 + 2)  # two hashed text modalities, two numbers
    numbers = x[:, -2:]
    assert numbers[0, 0] == 1995 and math.isnan(numbers[0, 1]) and math.isnan(numbers[2, 0])
    assert numbers[1, 1] == 30000000 and numbers[2, 1] == 0  # a real 0 is 0, not missing
    title = x[:, :64]
    assert title[0].sum() == 1 and title[2].sum() == 2  # "Heat" / "heat wave": lower-cased word counts
    assert (title[0] > 0).nonzero()[0][0] in (title[2] > 0).nonzero()[0]  # same word, same bucket
    mpaa = x[:, 64:128]
    assert mpaa[1].sum() == 0  # missing text: no words


@pytest.mark.parametrize("config", ["multilabel.jsonnet", "ads_parallelity.jsonnet", "ad_lp.jsonnet"])
def test_same_metric_names_as_the_neural_model_for_every_task(config, tmp_path):
    from allennlp.commands.train import train_model

    params = Params.from_file(str(CONFIGS / config))
    result = train_lightgbm(params.duplicate(), str(tmp_path / "lgbm"), n_features=32, rounds=20)
    train_model(params.duplicate(), str(tmp_path / "neural"))
    neural = json.loads((tmp_path / "neural" / "metrics.json").read_text())
    names = {k for k in neural if k.startswith(("best_validation_", "test_"))} - {"best_validation_loss", "test_loss"}
    assert names and names <= set(result), names - set(result)
    saved = json.loads((tmp_path / "lgbm" / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(result))
    assert list((tmp_path / "lgbm" / "lightgbm").glob("booster_*.txt"))


def test_lightgbm_learns_the_demo_films_and_is_table4s_reference(tmp_path):
    from dm2s2_allennlp.demo import GENRES, build_movies, constant_baseline
    from dm2s2_allennlp.metrics import MultilabelF1

    paths = build_movies(str(tmp_path / "movies"), sizes=(800, 200, 300), seed=5)
    movies = str(tmp_path / "movies")
    overrides = {"evaluate_on_test": True, "train_data_path": movies + "/train.jsonl",
                 "validation_data_path": movies + "/dev.jsonl", "test_data_path": movies + "/test.jsonl"}
    params = Params.from_file(str(ROOT / "experiments" / "quickstart" / "movies_dm2s2.jsonnet"),
                              json.dumps(overrides))
    result = train_lightgbm(params, str(tmp_path / "lgbm"), n_features=256)
    assert set(result["lightgbm_numeric_modalities"]) == {"year", "length", "budget", "rating", "votes"}
    stated = json.loads((tmp_path / "lgbm" / "config.json").read_text())["dataset_reader"]  # the recipe's reader
    assert stated["modalities"] == ["title", "year", "length", "budget", "rating", "votes", "mpaa"]  # infers them
    assert stated["task"] == "multilabel"
    with open(paths["train"]) as handle:
        constant = constant_baseline([json.loads(line)["label"] for line in handle])
    with open(paths["test"]) as handle:
        test_labels = [json.loads(line)["label"] for line in handle]
    metric = MultilabelF1()
    metric(torch.tensor([[float(g in constant) for g in GENRES]] * len(test_labels)),
           torch.tensor([[float(g in y) for g in GENRES] for y in test_labels]))
    baseline = metric.get_metric()
    assert result["test_f1_macro"] > baseline["f1_macro"] + 0.1, (result, baseline)
    assert result["test_f1_micro"] > baseline["f1_micro"], (result, baseline)
    # Table 4: every model relative to LightGBM
    table = collect(parse_rows([f"LightGBM={tmp_path / 'lgbm'}"]), ["f1_micro"])
    assert render(table, ["f1_micro"], relative_to="LightGBM").splitlines()[-1] == "| LightGBM | 1.0000 |"


def test_cli(tmp_path):
    out = tmp_path / "cli"
    command = [sys.executable, "-m", "allennlp", "train-lightgbm", str(CONFIGS / "regression.jsonnet"), "-s", str(out),
               "--n-features", "16", "--rounds", "5", "--include-package", "dm2s2_allennlp"]
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "best_validation_rmse" in run.stdout
    again = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert again.returncode != 0 and "--force" in again.stderr


def test_japanese_ad_text_is_split_into_words_by_mecab():
    from dm2s2_allennlp.gbm import words

    assert words("東京の格安ホテルを今すぐ予約") == ["東京", "の", "格安", "ホテル", "を", "今", "すぐ", "予約"]
    assert words("Toy Story 2, 1999!") == ["toy", "story", "2", "1999"]
    features = RecordFeatures(["title"], n_features=256).fit([{"title": "東京の格安ホテル"}])
    row = features.transform([{"title": "東京の格安ホテル"}])
    assert row.sum() == 4  # four words, not one token
