"""Tests run from the repository root (the fixture configs use root-relative paths), offline."""
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from allennlp.common import Params
from allennlp.models import Model

import dm2s2_allennlp  # noqa: F401  registers every component, as .allennlp_plugins does for the CLI

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
TINY_BERT = str(FIXTURES / "encoders" / "tiny-bert")
TINY_ROBERTA = str(FIXTURES / "encoders" / "tiny-roberta")
ENCODERS = [TINY_BERT, TINY_ROBERTA]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# the frozen-encoder cache of the whole test session lives in a temporary directory, never in the user's home
os.environ.setdefault("DM2S2_CACHE_DIR", tempfile.mkdtemp(prefix="dm2s2-test-cache-"))
os.chdir(ROOT)


def run_allennlp(*args, cwd=ROOT):
    """``python -m allennlp ARGS`` as a user runs it (the plugin found through ``.allennlp_plugins``), offline;
    fails the test with the command's output when it fails."""
    import subprocess
    import sys

    env = dict(os.environ, HF_HUB_OFFLINE="1")
    result = subprocess.run([sys.executable, "-m", "allennlp", *args], cwd=cwd, env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.fixture(scope="session")
def multilabel_archive(tmp_path_factory) -> Path:
    """The run directory of ``allennlp train fixtures/configs/multilabel.jsonnet`` (tiny encoder), trained once."""
    out = tmp_path_factory.mktemp("run") / "multilabel"
    run_allennlp("train", "fixtures/configs/multilabel.jsonnet", "-s", str(out))
    return out


@pytest.fixture(params=ENCODERS, ids=["bert-wordpiece", "roberta-bpe"])
def encoder(request):
    return request.param


def hf_model(model):
    """The Hugging Face transformer inside a model's encoder (wrapped by the `cached` encoder or not)."""
    return getattr(model.encoder, "transformer", model.encoder).transformer_model


def make_model(model_type: str, vocab, modalities: Optional[List[str]], task: str = "multilabel", encoder: str = TINY_BERT,
               max_length: Optional[int] = None, encoder_args: Optional[Dict[str, Any]] = None,
               head_args: Optional[Dict[str, Any]] = None, **model_args) -> Model:
    """A registered model in the current config layout, as a config would build it: the transformer wrapped in the
    ``cached`` encoder unless ``encoder_args`` says ``cache: None`` (or ``train_parameters``)."""
    encoder_args = dict(encoder_args or {})
    cache = encoder_args.pop("cache", {})  # cached unless cache=None (or nothing is frozen)
    transformer = {"type": "pretrained_transformer", "model_name": encoder, **encoder_args}
    if max_length is not None:  # else the reader's (from the vocabulary), or 512
        transformer["max_length"] = max_length
    encoder_spec = transformer if cache is None or transformer.get("train_parameters") else \
        {"type": "cached", "transformer": transformer, "cache": cache}
    params = {"type": model_type, "encoder": encoder_spec,
              "head": {"type": task, **(head_args or {})}, **model_args}
    if modalities is not None:  # else the reader's, from the vocabulary
        params["modalities"] = modalities
    return Model.from_params(vocab=vocab, params=Params(params))


def fit_head(model, instances) -> None:
    """What the `fit_to_data` callback does at the start of training: the training data's statistics."""
    model.set_data_statistics(model.data_statistics(instances))
