"""The model derives the reader's facts from the vocabulary and refuses a config that contradicts them (issue 25):
modalities (a typo, another order -- the MMAE weights that landed on the wrong modality), the task's head, the
encoder's name and max_length; and a batch whose modalities are not the model's."""
import copy

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Batch, Vocabulary
from allennlp.models import Model

from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
from tests.conftest import FIXTURES, TINY_BERT, TINY_ROBERTA

ADS = ["transcription", "message", "natural", "faces"]  # the classification fixture's names, in its order


def data(max_length=64, **reader_args):
    reader = MultimodalJsonlReader(transformer_model_name=TINY_BERT, max_length=max_length, **reader_args)
    instances = list(reader.read(str(FIXTURES / "generic" / "classification.jsonl")))
    return instances, Vocabulary.from_instances(instances)


def model_from(vocab, **config):
    params = {"type": "dm2s2", "encoder": {"type": "pretrained_transformer"}, **config}
    return Model.from_params(vocab=vocab, params=Params(params))


def test_the_model_takes_modalities_task_encoder_and_length_from_the_reader():
    instances, vocab = data(max_length=48)
    model = model_from(vocab)
    assert model.modalities == ADS and model.head.task == "classification"
    assert model.encoder.model_name == TINY_BERT and model.encoder.max_length == 48
    batch = Batch(instances)
    batch.index_instances(vocab)
    out = model(**batch.as_tensor_dict())
    assert torch.isfinite(out["loss"]) and set(out["inter_weights"].shape) == {len(instances), 4}
    per_task = model_from(vocab, head={"type": "per_task", "classification": {"class_weighting": "inverse"},
                                       "multilabel": {"tune_thresholds": True}})
    assert per_task.head.task == "classification" and per_task.head.class_weighting == "inverse"


@pytest.mark.parametrize("given, why", [
    (["transcription", "mesage", "natural", "faces"], r"\['mesage'\] not among the reader's; \['message'\] missing"),
    (["message", "transcription", "natural", "faces"], "the same names in another order"),
    (["transcription", "message"], r"\['natural', 'faces'\] missing"),
])
def test_modalities_that_differ_from_the_readers_are_refused_naming_both(given, why):
    _, vocab = data()
    with pytest.raises(ConfigurationError) as error:
        model_from(vocab, modalities=given)
    message = str(error.value)
    assert f"the model's `modalities` {given} differ from the reader's {ADS}" in message
    assert pytest.importorskip("re").search(why, message)
    assert model_from(vocab, modalities=ADS).modalities == ADS  # stated and equal: fine


def test_mmae_reconstruction_weights_cannot_land_on_another_modality():
    """The issue's case: the model's list in another order put `transcription: 0` on `faces`; now it is refused,
    and without the list the weights follow the reader's order."""
    _, vocab = data()
    mmae = {"type": "mmae", "reconstruction_weights": {"transcription": 0}, "code_dim": 4,
            "autoencoder_hidden_dim": 8}
    with pytest.raises(ConfigurationError, match="another order"):
        model_from(vocab, modalities=["message", "natural", "faces", "transcription"], **mmae)
    model = model_from(vocab, **mmae)
    weights = dict(zip(model.modalities, model.reconstruction_weights.tolist()))
    assert weights == {"transcription": 0.0, "message": 1.0, "natural": 1.0, "faces": 1.0}


def test_a_head_of_another_task_is_refused():
    _, vocab = data()
    with pytest.raises(ConfigurationError, match="the model's head is 'multilabel' but the reader's task is "
                                                 "'classification'"):
        model_from(vocab, head={"type": "multilabel"})


def test_an_encoder_other_than_the_readers_is_refused():
    _, vocab = data(max_length=48)
    with pytest.raises(ConfigurationError, match="is not the reader's `transformer_model_name`"):
        model_from(vocab, encoder={"type": "pretrained_transformer", "model_name": TINY_ROBERTA})
    with pytest.raises(ConfigurationError, match="`max_length` 64 is not the reader's `max_length` 48"):
        model_from(vocab, encoder={"type": "pretrained_transformer", "max_length": 64})
    same = model_from(vocab, encoder={"type": "pretrained_transformer", "model_name": "fixtures/encoders/tiny-bert"})
    assert same.encoder.max_length == 48  # a relative path to the same copy is the same encoder


def test_without_reader_facts_the_config_must_state_them():
    vocab = Vocabulary({"labels": {"a": 1, "b": 1}}, non_padded_namespaces=["labels"])
    with pytest.raises(ConfigurationError, match="the model must list them"):
        model_from(vocab, encoder={"type": "pretrained_transformer", "model_name": TINY_BERT})
    with pytest.raises(ConfigurationError, match="does not hold the reader's task"):
        model_from(vocab, modalities=ADS, encoder={"type": "pretrained_transformer", "model_name": TINY_BERT})


def test_a_batch_whose_modalities_are_not_the_models_is_refused():
    instances, vocab = data()
    model = model_from(vocab)
    batch = Batch(instances)
    batch.index_instances(vocab)
    tensors = batch.as_tensor_dict()
    tensors["metadata"] = copy.deepcopy(tensors["metadata"])
    tensors["metadata"][0]["modality_names"] = ["message", "transcription", "natural", "faces"]
    with pytest.raises(ConfigurationError, match="the data's modalities .* are not the model's .*another order"):
        model(**tensors)
