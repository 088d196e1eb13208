"""The encoder's precision and attention dropout on the CPU (issue 28): ``autocast: bfloat16`` runs the encoder in
bfloat16 where the CPU has bfloat16 instructions and in float32 elsewhere; top-layer training with the encoder-state
cache works under it (the cache's bookkeeping stays outside autocast); ``attention_dropout`` sets the attention
probabilities' dropout of every layer."""
import pytest
import torch

from dm2s2_allennlp.cache import CacheSettings
from dm2s2_allennlp.encoders import CachedEncoder, PretrainedTransformerMultimodalEncoder
from dm2s2_allennlp.encoders import pretrained_transformer
from tests.conftest import TINY_BERT
from tests.encoders.test_pretrained_transformer import batch

CPU = torch.device("cpu")


@pytest.fixture
def native(monkeypatch):
    """Pretend this CPU has (True) or lacks (False) bfloat16 instructions."""
    def pretend(value: bool) -> None:
        monkeypatch.setattr(pretrained_transformer, "native_cpu_bfloat16", lambda: value)
    return pretend


def test_bfloat16_on_the_cpu_only_where_it_is_native(native):
    encoder = PretrainedTransformerMultimodalEncoder(TINY_BERT, max_length=64, autocast="bfloat16",
                                                     trainable_top_layers=1)
    native(True)
    assert encoder._dtype(CPU) is torch.bfloat16
    with_bf16 = encoder.variant(CPU)
    native(False)
    assert encoder._dtype(CPU) is None and encoder.variant(CPU) != with_bf16  # cached states are kept apart
    native(True)
    float16 = PretrainedTransformerMultimodalEncoder(TINY_BERT, max_length=64, autocast="float16")
    assert float16._dtype(CPU) is None  # float16 is a CUDA setting
    assert PretrainedTransformerMultimodalEncoder(TINY_BERT, max_length=64)._dtype(CPU) is None


def test_top_layers_train_in_bfloat16_with_the_cache(native, tmp_path):
    native(True)
    ids, mask, *_ = batch()
    torch.manual_seed(0)
    reference = PretrainedTransformerMultimodalEncoder(TINY_BERT, max_length=64, trainable_top_layers=1).eval()
    encoder = CachedEncoder(PretrainedTransformerMultimodalEncoder(TINY_BERT, max_length=64, trainable_top_layers=1,
                                                                   autocast="bfloat16"),
                            CacheSettings(str(tmp_path), "float16"))  # the default; float16 under autocast failed
    encoder.transformer.load_state_dict(reference.state_dict())
    unified = encoder.unify(ids, mask)
    encoder.train()
    for _ in range(2):  # fills the cache, then reads it
        states = encoder.encode(unified)
        assert states.dtype is torch.float32 and torch.isfinite(states).all()
        states.square().mean().backward()
    assert encoder.cache.hits == ids.size(0)
    grads = [p.grad for p in encoder.transformer.layers()[1].parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    # bfloat16 keeps about 3 significant digits: the states are float32's within that
    expected = reference.encode(unified)
    encoder.eval()
    with torch.no_grad():
        close = torch.isclose(encoder.encode(unified), expected, atol=0.1, rtol=0.05)
    assert close[unified.attention_mask].float().mean() > 0.99


def test_attention_dropout_is_set_on_every_layer():
    encoder = PretrainedTransformerMultimodalEncoder(TINY_BERT, attention_dropout=0.0, trainable_top_layers=1)
    attentions = [layer.attention.self for layer in encoder.layers()]
    assert all(a.dropout_prob == 0.0 and a.dropout.p == 0.0 for a in attentions)
    default = PretrainedTransformerMultimodalEncoder(TINY_BERT, trainable_top_layers=1)
    configured = default.transformer_model.config.attention_probs_dropout_prob
    assert configured > 0 and all(layer.attention.self.dropout_prob == configured for layer in default.layers())
    with pytest.raises(Exception, match="attention_dropout"):
        PretrainedTransformerMultimodalEncoder(TINY_BERT, attention_dropout=1.0)
