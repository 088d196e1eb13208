"""Every file under experiments/ builds (reader, vocabulary, model, trainer) with the encoder and data pointed at the
fixtures through `-o` overrides, as a user points them at their own; one short real training run per data-set family;
the paper configs' settings are the paper's."""
import json
from pathlib import Path

import pytest
from allennlp.commands.train import train_model
from allennlp.common import Params

from tests.conftest import FIXTURES, ROOT, TINY_BERT

CONFIGS = sorted(p for p in (ROOT / "experiments").rglob("*.jsonnet"))
TINY_JA = str(FIXTURES / "encoders" / "tiny-bert-ja")


@pytest.fixture
def fixture_data(tmp_path):
    """The configs' default locations (what a user edits or overrides) -> the fixtures in the same formats."""
    features, ads_features = tmp_path / "mmimdb_features", tmp_path / "ads_features"
    for source in ("cloud_vision", "tesseract", "easyocr"):
        features.mkdir(exist_ok=True)
        ads_features.mkdir(exist_ok=True)
        (features / source).symlink_to(FIXTURES / "mmimdb" / "features")
        (ads_features / source).symlink_to(FIXTURES / "ads_parallelity" / "features")
    from dm2s2_allennlp.commands.group_split import group_split
    from dm2s2_allennlp.demo import build_movies

    group_split(str(FIXTURES / "ad_lp" / "ad_lp.jsonl"), str(tmp_path / "ad_lp"), fractions=(0.6, 0.2, 0.2), seed=3)
    build_movies(str(tmp_path / "movies"), sizes=(20, 10, 10))
    return {  # longest prefixes first
        "data/mmimdb_features": str(features), "data/mmimdb": str(FIXTURES / "mmimdb" / "mmimdb"),
        "data/ads_parallelity/ads_parallelity_dataset.csv":
            str(FIXTURES / "ads_parallelity" / "ads_parallelity_dataset.csv"),
        "data/ads_parallelity/features": str(ads_features), "data/ad_lp": str(tmp_path / "ad_lp"),
        "data/movies": str(tmp_path / "movies"),
        "roberta-large": TINY_BERT, "sentence-transformers/all-MiniLM-L6-v2": TINY_BERT,
        "cl-tohoku/bert-base-japanese-whole-word-masking": TINY_JA,
    }


def overrides(config: Path, replacements) -> str:
    """`-o` overrides moving every default location and encoder of ``config`` to the fixtures; 1 epoch, batch 4."""
    found = {}

    def walk(value, key):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{key}.{k}" if key else k)
        elif isinstance(value, str):
            for old, new in replacements.items():
                if value == old or value.startswith(old + "/") or value.startswith(old + "#"):
                    found[key] = new + value[len(old):]
                    break

    params = Params.from_file(str(config)).as_dict(quiet=True)
    walk(params, "")
    found["trainer.num_epochs"] = 1
    found["trainer.cuda_device"] = -1
    if "batch_sampler" in params.get("data_loader", {}):
        found["data_loader.batch_sampler.batch_size"] = 4
    return json.dumps(found)


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
def test_config_builds(config, fixture_data, tmp_path):
    params = Params.from_file(str(config), overrides(config, fixture_data))
    callbacks = [c["type"] for c in params["trainer"]["callbacks"]]
    assert callbacks == ["fit_to_data", "stack_and_tune", "flush_encoder_cache"]
    if "quickstart" not in str(config):
        schedule = params["trainer"]["learning_rate_scheduler"]
        assert schedule is None if config.stem == "mmae" else schedule["type"] == "warmup_cosine"
        assert params["model"]["encoder"]["type"] == "cached" and params["model"]["encoder"]["transformer"]["train_parameters"] is False
    if "distributed" in params:  # the multi-GPU example: check its launch block, then build it on one CPU process
        distributed = params.pop("distributed").as_dict()
        assert distributed["cuda_devices"] == [0, 1] and distributed["num_nodes"] == 1
    train_model(params, str(tmp_path / "run"), dry_run=True)  # reader, data, vocabulary, model, trainer


def test_paper_defaults_without_overrides():
    params = Params.from_file(str(ROOT / "experiments" / "mmimdb" / "dm2s2.jsonnet")).as_dict()
    assert params["dataset_reader"]["transformer_model_name"] == "roberta-large"
    assert "model_name" not in params["model"]["encoder"]["transformer"]  # the model takes the reader's
    assert "modalities" not in params["model"] and params["dataset_reader"]["max_length"] == 512
    assert params["dataset_reader"]["features_dir"] == "data/mmimdb_features/cloud_vision"
    assert params["train_data_path"] == "data/mmimdb#train"
    assert params["trainer"]["num_epochs"] == 30 and params["data_loader"]["batch_sampler"]["batch_size"] == 32
    assert "cuda_device" not in params["trainer"]  # AllenNLP takes GPU 0 when there is one
    ja = Params.from_file(str(ROOT / "experiments" / "ad_lp" / "dm2s2.jsonnet")).as_dict()
    assert ja["dataset_reader"]["transformer_model_name"] == "cl-tohoku/bert-base-japanese-whole-word-masking"
    assert ja["model"]["head"] == {"type": "regression", "auc_threshold": 0.0}
    from dm2s2_allennlp.dataset_readers import MMIMDB_GENRES

    assert params["vocabulary"]["tokens_to_add"]["labels"] == MMIMDB_GENRES
    assert params["model"]["head"] == {"type": "multilabel", "class_weighting": "inverse"}
    table3 = Params.from_file(str(ROOT / "experiments" / "mmimdb" / "encoder_only.jsonnet")).as_dict()["model"]
    assert table3["type"] == "encoder_only" and not table3.get("modality_embeddings", False)
    table1 = Params.from_file(str(ROOT / "experiments" / "mmimdb" / "encoder_only_modality_embeddings.jsonnet"))
    assert table1.as_dict()["model"]["modality_embeddings"] is True
    dmms = Params.from_file(str(ROOT / "experiments" / "mmimdb" / "dmms.jsonnet")).as_dict()["model"]
    assert (dmms["set_dim"], dmms["mlp"]["hidden_dims"], dmms["head"]["class_weighting"]) == \
        (1024, [256, 128], "inverse_sqrt")
    ads_dmms = Params.from_file(str(ROOT / "experiments" / "ads_parallelity" / "dmms.jsonnet")).as_dict()["model"]
    assert (ads_dmms["set_dim"], ads_dmms["mlp"]["hidden_dims"]) == (32, [32])
    table5 = Params.from_file(str(ROOT / "experiments" / "ads_parallelity" / "scaled_dot_product.jsonnet"))
    assert table5.as_dict()["model"]["similarity"] == "scaled_dot_product"


def paper(path):
    return Params.from_file(str(ROOT / "experiments" / path)).as_dict()


@pytest.mark.parametrize("family", ["mmimdb", "ads_parallelity", "ad_lp"])
def test_the_paper_configs_train_as_the_papers_say(family):
    """Section IV-C: AdamW (decoupled weight decay), lr warmed up 0 -> 1e-3 over 5 epochs then cosine, 30 epochs,
    frozen encoder, Eq. 16 with both terms and w_k = 1/N_k, Eq. 13 read literally; the ablation switches of Tables
    3, 5 and 6; and each baseline's own paper settings."""
    config = paper(f"{family}/dm2s2.jsonnet")
    trainer, model = config["trainer"], config["model"]
    assert trainer["optimizer"] == {"type": "adamw", "lr": 1e-3, "weight_decay": 0.01}
    assert trainer["learning_rate_scheduler"] == {"type": "warmup_cosine", "warmup_epochs": 5}
    assert trainer["num_epochs"] == 30
    assert model["encoder"]["transformer"]["train_parameters"] is False and "trainable_top_layers" not in model["encoder"]["transformer"]
    assert (model["use_intra"], model["use_inter"], model["residual"], model["similarity"], model["pooling"]) == \
        (True, True, True, "additive", "mean")
    assert model["missing_modality_scores"] == "literal" and not model.get("numeric_features", False)
    if family != "ad_lp":
        assert model["head"]["class_weighting"] == "inverse" and "loss_terms" not in model["head"]
        assert not model["head"].get("tune_thresholds", False)
    switches = {"intra_only": {"use_inter": False}, "inter_only": {"use_intra": False},
                "scaled_dot_product": {"similarity": "scaled_dot_product"}, "no_residual": {"residual": False}}
    for variant, changed in switches.items():
        varied = paper(f"{family}/{variant}.jsonnet")["model"] if (ROOT / "experiments" / family /
                                                                    f"{variant}.jsonnet").exists() else None
        if varied is not None:
            assert {k: varied[k] for k in changed} == changed
            assert {k: v for k, v in varied.items() if k not in changed} == \
                {k: v for k, v in model.items() if k not in changed}
    dmms = paper(f"{family}/dmms.jsonnet")["model"]
    assert dmms["encoder_pooling"] == "cls" and dmms["prior"] == 0.01 and dmms["phi_dropout"] == 0.25
    mmae = paper(f"{family}/mmae.jsonnet")
    assert (mmae["model"]["code_dim"], mmae["model"]["autoencoder_hidden_dim"]) == (64, 512)
    assert mmae["trainer"]["optimizer"] == {"type": "rmsprop", "lr": 1e-3}


def test_the_baselines_paper_settings_per_data_set():
    ads = paper("ads_parallelity/dmms.jsonnet")["model"]
    assert (ads["set_pooling"], ads["head"]["class_weighting"], ads["set_dim"]) == ("sum", "none", 32)  # 001 psi_sum
    mm = paper("mmimdb/dmms.jsonnet")["model"]
    assert (mm["set_pooling"], mm["head"]["class_weighting"], mm["set_dim"]) == ("max", "inverse_sqrt", 1024)
    assert paper("mmimdb/modality_attention_merger.jsonnet")["model"]["kl_weight"] == 5e-4
    for family in ("mmimdb", "ads_parallelity"):  # Table 1's OCR rows differ in the OCR source only
        for ocr in ("tesseract", "easyocr"):
            reader = paper(f"{family}/dm2s2_ocr_{ocr}.jsonnet")["dataset_reader"]
            assert reader["features_dir"].endswith("/cloud_vision") and reader["ocr_features_dir"].endswith(ocr)


@pytest.mark.parametrize("family", ["mmimdb", "ads_parallelity", "ad_lp"])
def test_short_real_training_run_per_family(family, fixture_data, tmp_path):
    config = ROOT / "experiments" / family / "dm2s2.jsonnet"
    params = Params.from_file(str(config), overrides(config, fixture_data))
    train_model(params, str(tmp_path / f"run_{family}"))
    metrics = json.loads((tmp_path / f"run_{family}" / "metrics.json").read_text())
    key = {"mmimdb": "test_f1_micro", "ads_parallelity": "test_accuracy", "ad_lp": "test_rmse"}[family]
    assert key in metrics and metrics["training_loss"] > 0
    assert Path(tmp_path / f"run_{family}" / "model.tar.gz").exists()
