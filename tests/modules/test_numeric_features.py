"""Numeric values as numbers: the reader keeps every number's signlog value (``number_of``), ``NumericFeatures``
keeps the modalities whose every present training value is a number (LightGBM's rule) and standardises them with the
training data's moments, and ``dm2s2`` with ``numeric_features: true`` reads them."""
import math

import pytest
import torch
from allennlp.data import Batch, Vocabulary

from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
from dm2s2_allennlp.modules.numeric_features import NumericFeatures, signlog
from tests.conftest import FIXTURES, TINY_BERT, fit_head, make_model

MOVIE = ["title", "year", "length", "labels", "faces"]


def read():
    reader = MultimodalJsonlReader(modalities=MOVIE, transformer_model_name=TINY_BERT, max_length=64)
    return list(reader.read(str(FIXTURES / "generic" / "multilabel.jsonl")))


def test_the_reader_keeps_numbers_as_signlog_values():
    import json

    from dm2s2_allennlp.dataset_readers.multimodal_reader import number_of, render_value

    instances = read()
    with open(FIXTURES / "generic" / "multilabel.jsonl") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    for instance, record in zip(instances, records):
        numbers = instance["numbers"].tensor
        for m, name in enumerate(MOVIE):
            value = record["modalities"].get(name)
            if number_of(render_value(value)) is not None:
                value = number_of(render_value(value))
                assert numbers[m].tolist() == pytest.approx([math.copysign(math.log1p(abs(value)), value), 1.0])
            else:  # text, a list, a boolean or missing
                assert numbers[m].tolist() == [0.0, 0.0]
    assert signlog(-99.0) == pytest.approx(-math.log(100))


def test_features_are_standardised_with_the_training_moments():
    numbers = torch.tensor([[[1.0, 1.0], [0.0, 0.0]], [[3.0, 1.0], [5.0, 1.0]], [[0.0, 0.0], [7.0, 1.0]]])
    features = NumericFeatures(2)
    features.set_statistics(features.statistics(numbers, numbers[..., 1].bool()))
    torch.testing.assert_close(features.mean, torch.tensor([2.0, 6.0]))
    torch.testing.assert_close(features.std, torch.tensor([1.0, 1.0]))
    out = features(numbers)
    torch.testing.assert_close(out, torch.tensor([[-1.0, 0.0, 1.0, 0.0], [1.0, -1.0, 1.0, 1.0],
                                                  [0.0, 1.0, 0.0, 1.0]]))
    assert features.fitted


def test_a_modality_with_a_present_value_that_is_not_a_number_is_not_numeric():
    """The one rule (as LightGBM's columns): a title that is "1999" once is still text."""
    numbers = torch.tensor([[[1.0, 1.0], [7.6, 1.0]], [[3.0, 1.0], [0.0, 0.0]], [[2.0, 1.0], [0.0, 0.0]]])
    present = torch.tensor([[True, True], [True, True], [True, False]])  # record 2's second value is text
    features = NumericFeatures(2)
    features.set_statistics(features.statistics(numbers, present))
    assert features.numeric.tolist() == [True, False]
    out = features(numbers)
    assert out[:, 1].abs().sum() == 0 and out[:, 3].sum() == 0  # neither a value nor a presence flag
    old = {k: v for k, v in features.state_dict().items() if k != "numeric"}  # an archive before 0.4
    restored = NumericFeatures(2)
    restored.load_state_dict(old)
    assert restored.numeric.tolist() == [True, True]


def test_dm2s2_reads_the_numbers_only_when_asked():
    instances = read()
    vocab = Vocabulary.from_instances(instances)
    batch = Batch(instances)
    batch.index_instances(vocab)
    tensors = batch.as_tensor_dict()
    torch.manual_seed(0)
    model = make_model("dm2s2", vocab, MOVIE, numeric_features=True).eval()
    fit_head(model, instances)
    assert model.numeric.fitted and next(m for m in model.mlp.modules() if isinstance(m, torch.nn.Linear)).in_features == 32 + 2 * len(MOVIE)
    present = torch.stack([i["numbers"].tensor for i in instances])[..., 1].bool()
    values = torch.stack([i["numbers"].tensor for i in instances])[..., 0]
    for m in range(len(MOVIE)):
        if present[:, m].any():
            column = values[:, m][present[:, m]]
            assert float(model.numeric.mean[m]) == pytest.approx(float(column.mean()), rel=1e-5)
    changed = dict(tensors, numbers=tensors["numbers"].clone())
    changed["numbers"][..., 0] += 1.0
    assert not torch.allclose(model(**tensors)["logits"], model(**changed)["logits"])
    plain = make_model("dm2s2", vocab, MOVIE).eval()
    assert plain.numeric is None
    torch.testing.assert_close(plain(**tensors)["logits"], plain(**changed)["logits"])
