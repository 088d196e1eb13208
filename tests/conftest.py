"""Tests run from the repository root (the fixture configs use root-relative paths), offline."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
TINY_BERT = str(FIXTURES / "encoders" / "tiny-bert")
TINY_ROBERTA = str(FIXTURES / "encoders" / "tiny-roberta")
ENCODERS = [TINY_BERT, TINY_ROBERTA]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("DM2S2_TEST_ENCODER", TINY_BERT)
os.chdir(ROOT)


@pytest.fixture(params=ENCODERS, ids=["bert-wordpiece", "roberta-bpe"])
def encoder(request):
    return request.param
