"""Transformer layers on the real positions only (``modules.packed_layers``): at every real position the outputs and
the weights' gradients are the Hugging Face layers' own on the padded batch; padding comes back as zeros."""
import pytest
import torch
from transformers import AutoModel

from dm2s2_allennlp.modules.packed_layers import packable, packing_index, run_packed
from tests.conftest import TINY_BERT, TINY_ROBERTA


def padded_batch(model, lengths):
    torch.manual_seed(0)
    width = max(lengths)
    mask = torch.arange(width).view(1, -1) < torch.tensor(lengths).view(-1, 1)
    hidden = torch.randn(len(lengths), width, model.config.hidden_size)
    hidden[~mask] = 7.0  # padding states the layers must not read
    extended = model.get_extended_attention_mask(mask.long(), mask.shape)
    return hidden, mask, extended


@pytest.mark.parametrize("name", [TINY_BERT, TINY_ROBERTA], ids=["bert", "roberta"])
def test_real_positions_get_the_layers_own_outputs_and_gradients(name):
    model = AutoModel.from_pretrained(name).eval()  # no dropout: the two runs are comparable
    layers = model.encoder.layer
    assert all(packable(layer) for layer in layers)
    hidden, mask, extended = padded_batch(model, [9, 2, 5, 1])
    reference = hidden
    for layer in layers:
        reference = layer(reference, attention_mask=extended)[0]
    reference_loss = reference[mask].square().sum()
    reference_grads = torch.autograd.grad(reference_loss, list(layers.parameters()))

    packed = run_packed(layers, hidden, *packing_index(mask, multiple=4), extended)
    torch.testing.assert_close(packed[mask], reference[mask], atol=1e-5, rtol=1e-5)
    assert packed[~mask].abs().max() == 0
    grads = torch.autograd.grad(packed[mask].square().sum(), list(layers.parameters()))
    for mine, theirs in zip(grads, reference_grads):
        torch.testing.assert_close(mine, theirs, atol=1e-4, rtol=1e-4)


def test_dropout_is_the_layers_own():
    model = AutoModel.from_pretrained(TINY_BERT)
    layers = model.encoder.layer.train()
    hidden, mask, extended = padded_batch(model, [6, 3])
    rows = packing_index(mask)
    first, second = run_packed(layers, hidden, *rows, extended), run_packed(layers, hidden, *rows, extended)
    assert not torch.equal(first, second)  # training mode: the layers' dropout is applied
    for layer in layers:
        layer.eval()
    torch.testing.assert_close(run_packed(layers, hidden, *rows, extended), run_packed(layers, hidden, *rows, extended))


def test_only_bert_family_layers_are_packable():
    assert not packable(torch.nn.Linear(4, 4))
    assert not packable(torch.nn.TransformerEncoderLayer(8, 2))


def test_the_rows_are_the_real_positions_then_padding_up_to_a_round_number():
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0]])
    rows, count = packing_index(mask, multiple=3)
    assert count == 4 and rows[:4].tolist() == [0, 1, 2, 5] and len(rows) == 6
    assert not mask.reshape(-1)[rows[4:]].any()  # the filler rows are padding
    assert packing_index(mask, multiple=64)[0].numel() == 10  # never more rows than the batch has
    assert packing_index(torch.ones(2, 2), multiple=3)[0].tolist() == [0, 1, 2, 3]  # no padding to add
