"""Every file under experiments/ builds (reader, vocabulary, model, trainer) with the encoder and data pointed at the
fixtures through the documented variables; one short real training run per data-set family."""
import json
from pathlib import Path

import pytest
from allennlp.commands.train import train_model
from allennlp.common import Params

from tests.conftest import FIXTURES, ROOT, TINY_BERT

CONFIGS = sorted(p for p in (ROOT / "experiments").rglob("*.jsonnet"))


@pytest.fixture
def fixture_env(monkeypatch, tmp_path):
    features = tmp_path / "mmimdb_features"
    ads_features = tmp_path / "ads_features"
    for source in ("cloud_vision", "tesseract", "easyocr"):
        features.mkdir(exist_ok=True)
        ads_features.mkdir(exist_ok=True)
        (features / source).symlink_to(FIXTURES / "mmimdb" / "features")
        (ads_features / source).symlink_to(FIXTURES / "ads_parallelity" / "features")
    ad_lp = tmp_path / "ad_lp"
    from dm2s2_allennlp.commands.group_split import group_split

    group_split(str(FIXTURES / "ad_lp" / "ad_lp.jsonl"), str(ad_lp), fractions=(0.6, 0.2, 0.2), seed=3)
    from dm2s2_allennlp.demo import build_movies

    build_movies(str(tmp_path / "movies"), sizes=(20, 10, 10))
    variables = {
        "DM2S2_ENCODER": TINY_BERT, "DM2S2_PAPER_ENCODER": TINY_BERT,
        "DM2S2_JAPANESE_ENCODER": str(FIXTURES / "encoders" / "tiny-bert-ja"),
        "DM2S2_MMIMDB_DIR": str(FIXTURES / "mmimdb" / "mmimdb"), "DM2S2_MMIMDB_FEATURES": str(features),
        "DM2S2_ADS_CSV": str(FIXTURES / "ads_parallelity" / "ads_parallelity_dataset.csv"),
        "DM2S2_ADS_FEATURES": str(ads_features), "DM2S2_AD_LP_DIR": str(ad_lp),
        "DM2S2_MOVIES_DIR": str(tmp_path / "movies"),
        "DM2S2_EPOCHS": "1", "DM2S2_BATCH_SIZE": "4", "DM2S2_CUDA_DEVICE": "-1", "DM2S2_FOLD": "0",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return variables


def test_every_config_is_here():
    names = {str(p.relative_to(ROOT / "experiments")) for p in CONFIGS}
    for family in ("mmimdb", "ads_parallelity"):
        for variant in ("dm2s2", "encoder_only", "intra_only", "inter_only", "scaled_dot_product", "no_residual",
                        "dm2s2_ocr_tesseract", "dm2s2_ocr_easyocr"):
            assert f"{family}/{variant}.jsonnet" in names
    for variant in ("dm2s2", "encoder_only", "intra_only", "inter_only"):
        assert f"ad_lp/{variant}.jsonnet" in names
    baselines = ("encoder_only_modality_embeddings", "dmms", "modality_attention_merger", "mmae", "concat_fusion")
    for family in ("mmimdb", "ads_parallelity", "ad_lp"):
        for variant in baselines:
            assert f"{family}/{variant}.jsonnet" in names
    for variant in ("dm2s2", "encoder_only") + baselines:
        assert f"quickstart/movies_{variant}.jsonnet" in names


@pytest.mark.parametrize("config", CONFIGS, ids=[str(p.relative_to(ROOT / "experiments")) for p in CONFIGS])
def test_config_builds(config, fixture_env, tmp_path):
    params = Params.from_file(str(config))
    assert params["trainer"]["cuda_device"] == -1
    if "quickstart" not in str(config):
        assert params["trainer"]["learning_rate_scheduler"]["type"] == "warmup_cosine"
        assert params["model"]["train_parameters"] is False
    if "distributed" in params:  # the multi-GPU example: check its launch block, then build it on one CPU process
        distributed = params.pop("distributed").as_dict()
        assert distributed["cuda_devices"] == [0, 1] and distributed["num_nodes"] == 1
    train_model(params, str(tmp_path / "run"), dry_run=True)  # reader, data, vocabulary, model, trainer


def test_paper_defaults_without_overrides(monkeypatch):
    import os

    for name in list(os.environ):
        if name.startswith("DM2S2_") and name != "DM2S2_TEST_ENCODER":
            monkeypatch.delenv(name)
    from dm2s2_allennlp.defaults import install_default_variables

    install_default_variables()
    params = Params.from_file(str(ROOT / "experiments" / "mmimdb" / "dm2s2.jsonnet")).as_dict()
    assert params["model"]["transformer_model_name"] == "roberta-large"
    assert params["dataset_reader"]["features_dir"] == "data/mmimdb_features/cloud_vision"
    assert params["train_data_path"] == "data/mmimdb#train"
    ja = Params.from_file(str(ROOT / "experiments" / "ad_lp" / "dm2s2.jsonnet")).as_dict()
    assert ja["model"]["transformer_model_name"] == "cl-tohoku/bert-base-japanese-whole-word-masking"
    from dm2s2_allennlp.dataset_readers import MMIMDB_GENRES

    assert params["vocabulary"]["tokens_to_add"]["labels"] == MMIMDB_GENRES
    table3 = Params.from_file(str(ROOT / "experiments" / "mmimdb" / "encoder_only.jsonnet")).as_dict()["model"]
    assert table3["type"] == "encoder_only" and not table3.get("modality_embeddings", False)
    table1 = Params.from_file(str(ROOT / "experiments" / "mmimdb" / "encoder_only_modality_embeddings.jsonnet"))
    assert table1.as_dict()["model"]["modality_embeddings"] is True
    dmms = Params.from_file(str(ROOT / "experiments" / "mmimdb" / "dmms.jsonnet")).as_dict()["model"]
    assert (dmms["set_dim"], dmms["mlp_hidden_dims"], dmms["class_weighting"]) == (1024, [256, 128], "inverse_sqrt")
    ads_dmms = Params.from_file(str(ROOT / "experiments" / "ads_parallelity" / "dmms.jsonnet")).as_dict()["model"]
    assert (ads_dmms["set_dim"], ads_dmms["mlp_hidden_dims"]) == (32, [32])
    table5 = Params.from_file(str(ROOT / "experiments" / "ads_parallelity" / "scaled_dot_product.jsonnet"))
    assert table5.as_dict()["model"]["similarity"] == "scaled_dot_product"


@pytest.mark.parametrize("family", ["mmimdb", "ads_parallelity", "ad_lp"])
def test_short_real_training_run_per_family(family, fixture_env, tmp_path):
    params = Params.from_file(str(ROOT / "experiments" / family / "dm2s2.jsonnet"))
    train_model(params, str(tmp_path / f"run_{family}"))
    metrics = json.loads((tmp_path / f"run_{family}" / "metrics.json").read_text())
    key = {"mmimdb": "test_f1_micro", "ads_parallelity": "test_accuracy", "ad_lp": "test_rmse"}[family]
    assert key in metrics and metrics["training_loss"] > 0
    assert Path(tmp_path / f"run_{family}" / "model.tar.gz").exists()
