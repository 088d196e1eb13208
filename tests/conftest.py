"""Tests run from the repository root (the fixture configs use root-relative paths), offline."""
import os
import tempfile
from pathlib import Path

import pytest

import dm2s2_allennlp  # noqa: F401  registers every component, as .allennlp_plugins does for the CLI

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
TINY_BERT = str(FIXTURES / "encoders" / "tiny-bert")
TINY_ROBERTA = str(FIXTURES / "encoders" / "tiny-roberta")
ENCODERS = [TINY_BERT, TINY_ROBERTA]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("DM2S2_TEST_ENCODER", TINY_BERT)
# the frozen-encoder cache of the whole test session lives in a temporary directory, never in the user's home
os.environ.setdefault("DM2S2_CACHE_DIR", tempfile.mkdtemp(prefix="dm2s2-test-cache-"))
os.chdir(ROOT)


@pytest.fixture(params=ENCODERS, ids=["bert-wordpiece", "roberta-bpe"])
def encoder(request):
    return request.param
