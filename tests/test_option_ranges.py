"""Every numeric option of readers, encoders, heads and models is range-checked when it is built: a value outside its
range is a ConfigurationError naming the option and the allowed range -- instead of, e.g., `max_tokens_per_modality:
0` emptying every modality or `-1` dropping each modality's last word piece without a word."""
import pytest
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary

from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
from dm2s2_allennlp.encoders import PretrainedTransformerMultimodalEncoder
from dm2s2_allennlp.heads import MultilabelHead
from tests.conftest import TINY_BERT, make_model

READER = dict(modalities=["title", "year"], transformer_model_name=TINY_BERT)


@pytest.mark.parametrize("option, value, message", [
    ("max_tokens_per_modality", 0, r"`max_tokens_per_modality` must be a number in \[1, inf\], got 0"),
    ("max_tokens_per_modality", -1, r"`max_tokens_per_modality` must be a number in \[1, inf\], got -1"),
    ("max_tokens_per_modality", {"title": 0}, r"`max_tokens_per_modality.title` must be a number in \[1, inf\]"),
    ("max_length", 1, r"`max_length` must be a number in \[2, inf\], got 1"),
])
def test_reader_options(option, value, message):
    with pytest.raises(ConfigurationError, match=message):
        MultimodalJsonlReader(**READER, **{option: value})
    assert MultimodalJsonlReader(**READER, max_tokens_per_modality=3).max_tokens_per_modality == 3


def test_encoder_max_length():
    with pytest.raises(ConfigurationError, match=r"`max_length` must be a number in \[2, inf\], got 0"):
        PretrainedTransformerMultimodalEncoder(TINY_BERT, max_length=0)


@pytest.mark.parametrize("threshold", [0.0, 1.0, -0.2, 1.5])
def test_multilabel_threshold(threshold):
    vocab = Vocabulary(tokens_to_add={"labels": ["A", "B"]})
    with pytest.raises(ConfigurationError, match=r"`threshold` must be a number in \(0.0, 1.0\)"):
        MultilabelHead(vocab, threshold=threshold)


@pytest.mark.parametrize("args, message", [
    ({"task_loss_weight": -1.0}, r"`task_loss_weight` must be a number in \[0.0, inf\]"),
    ({"reconstruction_loss_weight": -0.5}, r"`reconstruction_loss_weight` must be a number in \[0.0, inf\]"),
    ({"reconstruction_weights": {"title": -1.0}}, r"`reconstruction_weights.title` must be a number in \[0.0, inf\]"),
])
def test_mmae_weights(args, message):
    vocab = Vocabulary(tokens_to_add={"labels": ["A", "B"]})
    with pytest.raises(ConfigurationError, match=message):
        make_model("mmae", vocab, ["title", "year"], code_dim=4, autoencoder_hidden_dim=8, attention_dim=8, **args)


def test_merger_kl_weight():
    vocab = Vocabulary(tokens_to_add={"labels": ["A", "B"]})
    with pytest.raises(ConfigurationError, match="kl_weight"):
        make_model("modality_attention_merger", vocab, ["title", "year"], kl_weight=-0.1)


def test_mlp_dropout():
    from dm2s2_allennlp.models import PredictionMlp

    with pytest.raises(Exception, match=r"mlp dropout must be in \[0, 1\)"):
        PredictionMlp.from_params(Params({"hidden_dims": [4], "dropout": 1.0}))
