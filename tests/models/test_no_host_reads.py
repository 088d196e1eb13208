"""A training step of every model reads nothing back from the device once its batch is planned: the step's device
side runs on PyTorch's ``meta`` device (shapes only, no values) while its layout is still planned from real host ids,
so any read of device data by the host (``.item()``, ``.tolist()``, ``float()``, ``nonzero``, boolean indexing, a
copy to the CPU) -- each of which makes the CPU wait for the GPU -- raises there. Checked for the cached step and for
the step that fills the cache (the encoder replaced by a stand-in of its output shape: the encoder's own host reads,
e.g. transformers' check for an all-ones attention mask, are the floor's, not ours)."""
import pytest
import torch
from allennlp.data import Batch, Vocabulary

from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
from dm2s2_allennlp.encoders import MultimodalEncoder, PretrainedTransformerMultimodalEncoder
from tests.conftest import FIXTURES, TINY_BERT, fit_head, make_model

GENERIC = FIXTURES / "generic"
DATA = {"multilabel": ("multilabel.jsonl", ["title", "year", "length", "labels", "faces"]),
        "classification": ("classification.jsonl", ["transcription", "message", "natural", "faces"]),
        "regression": ("regression.jsonl", ["keyword", "title", "lp_text", "performance"])}
MODELS = {"dm2s2": {"numeric_features": True}, "encoder_only": {}, "dmms": {"set_dim": 8},
          "dmms_cls": {"set_dim": 8, "encoder_pooling": "cls"}, "modality_attention_merger": {},
          "mmae": {"code_dim": 4, "autoencoder_hidden_dim": 8, "attention_dim": 8}, "concat_fusion": {},
          "encoder_only_segments": {"modality_embeddings": True}}
# the one read a training step makes on purpose: the loss, to stop on a NaN or infinity naming the records -- the
# value AllenNLP's trainer reads right after for its own NaN check, so it adds no wait; switched off here
NO_LOSS_CHECK = {"check_finite_loss": False}
TYPES = {"dmms_cls": "dmms", "encoder_only_segments": "encoder_only"}
META = torch.device("meta")


class OnMetaAfterPlanning(MultimodalEncoder):
    """The model's own encoder, composed through ``MultimodalEncoder``'s public interface: its layouts are planned
    from the real host ids as always, then moved to the meta device, where everything after planning runs."""

    def __init__(self, inner: MultimodalEncoder) -> None:
        super().__init__()
        self.inner = inner
        self.cls_id, self.sep_id, self.pad_id, self.max_length = inner.cls_id, inner.sep_id, inner.pad_id, \
            inner.max_length

    def get_output_dim(self) -> int:
        return self.inner.get_output_dim()

    def unify(self, token_ids, mask):
        return self.inner.unify(token_ids, mask).to(META)

    def modality_sequences(self, token_ids, mask):
        built, present, lengths = self.inner.modality_sequences(token_ids, mask)
        return (None if built is None else built.to(META)), present, lengths

    def encode(self, unified, added_embeddings=None, all_positions=False):
        return self.inner.encode(unified, added_embeddings, all_positions)


class StandInTransformer(PretrainedTransformerMultimodalEncoder):
    """A transformer whose output is zeros of the right shape (transformers' own host reads, e.g. its check for an
    all-ones attention mask, are the floor's, not ours)."""

    def run(self, input_ids, attention_mask, added_embeddings=None):
        return torch.zeros(*input_ids.shape, self.get_output_dim(), device=input_ids.device,
                           requires_grad=added_embeddings is not None)


def on_meta_after_planning(model):
    model.encoder = OnMetaAfterPlanning(model.encoder)
    return model.to(META)


def stand_in_transformer(model):
    model.encoder.inner.transformer = StandInTransformer(TINY_BERT, max_length=64).to(META)


@pytest.mark.parametrize("task", sorted(DATA))
@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_training_step_reads_nothing_back_from_the_device_after_planning(tmp_path, name, task):
    path, modalities = DATA[task]
    reader = MultimodalJsonlReader(modalities=modalities, task=task, transformer_model_name=TINY_BERT, max_length=64)
    instances = list(reader.read(str(GENERIC / path)))
    vocab = Vocabulary.from_instances(instances)
    model = make_model(TYPES.get(name, name), vocab, modalities, task, head_args={"auc_threshold": 0.0}
                       if task == "regression" else {"tune_thresholds": True} if task == "multilabel" else {},
                       encoder_args={"cache": {"directory": str(tmp_path), "on_disk": False}}, **MODELS[name],
                       **NO_LOSS_CHECK)
    fit_head(model, instances)
    batch = Batch(instances)
    batch.index_instances(vocab)
    tensors = batch.as_tensor_dict()
    model.train()
    model(**tensors)["loss"].backward()  # fills the cache from the real encoder on the CPU
    model.get_metrics(reset=True)
    model = on_meta_after_planning(model)
    tensors["label"], tensors["numbers"] = tensors["label"].to(META), tensors["numbers"].to(META)
    if name == "encoder_only_segments":
        stand_in_transformer(model)  # never cached: its states depend on trainable embeddings
    output = model(**tensors)  # the cached step
    output["loss"].backward()
    assert output["loss"].device.type == "meta"
    model.encoder.inner.cache.memory.clear()  # the step that fills the cache
    stand_in_transformer(model)
    model(**tensors)["loss"].backward()


def test_the_check_can_fail():
    """IntraMRA finding its modality's tokens on the device (without the host's index lists) is such a read: on the
    meta device it raises, with the host's lists it runs."""
    reader = MultimodalJsonlReader(modalities=DATA["multilabel"][1], transformer_model_name=TINY_BERT, max_length=64)
    instances = list(reader.read(str(GENERIC / "multilabel.jsonl")))
    vocab = Vocabulary.from_instances(instances)
    model = make_model("dm2s2", vocab, DATA["multilabel"][1], encoder_args={"cache": None}, **NO_LOSS_CHECK)
    batch = Batch(instances)
    batch.index_instances(vocab)
    ids, mask = model.modality_token_ids(batch.as_tensor_dict()["modalities"])
    unified = model.encoder.unify(ids, mask).to(META)
    hidden = torch.zeros(*unified.input_ids.shape, model.hidden_dim, device=META)
    intra = model.intra.to(META)
    intra(hidden, unified.modality_ids, unified.modality_index())  # the host's index lists: no read
    with pytest.raises(NotImplementedError):
        intra(hidden, unified.modality_ids, None)
