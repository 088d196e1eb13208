import copy

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.common.testing import ModelTestCase
from allennlp.data import Batch, Vocabulary
from allennlp.models import Model

from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
from dm2s2_allennlp.models import DM2S2
from tests.conftest import FIXTURES, TINY_BERT, TINY_ROBERTA, fit_head, make_model, hf_model

CONFIGS = FIXTURES / "configs"
GENERIC = FIXTURES / "generic"
MOVIE = ["title", "year", "length", "labels", "faces"]


class TestDM2S2Multilabel(ModelTestCase):
    def setup_method(self):
        super().setup_method()
        self.set_up_model(CONFIGS / "multilabel.jsonnet", GENERIC / "multilabel.jsonl")

    def test_train_save_load(self):
        self.ensure_model_can_train_save_and_load(self.param_file)

    def test_batch_consistency(self):
        self.ensure_batch_predictions_are_consistent()

    def test_outputs(self):
        output = self.model(**self.dataset.as_tensor_dict())
        batch, m = len(self.instances), len(MOVIE)
        assert output["probs"].shape == (batch, self.vocab.get_vocab_size("labels"))
        assert output["inter_weights"].shape == (batch, m)
        assert output["intra_weights"].shape[:2] == (batch, m)
        # every sample with at least one modality: modality weights are a softmax (sum 1); m7 has none: all 0
        sums = output["inter_weights"].sum(-1)
        for i, instance in enumerate(self.instances):
            lengths = [len(f.tokens) for f in instance["modalities"].field_list]
            if sum(lengths):
                assert sums[i].item() == pytest.approx(1.0, abs=1e-5)
            else:
                assert sums[i].item() == 0.0
            # each present modality's token weights sum to 1
            for j, n in enumerate(lengths):
                w = output["intra_weights"][i, j]
                assert w[:n].sum().item() == pytest.approx(1.0 if n else 0.0, abs=1e-5)
                assert (w[n:] == 0).all()
        assert torch.isfinite(output["loss"])
        readable = self.model.make_output_human_readable(output)
        assert len(readable["labels"]) == batch


class TestDM2S2Classification(ModelTestCase):
    def setup_method(self):
        super().setup_method()
        self.set_up_model(CONFIGS / "classification.jsonnet", GENERIC / "classification.jsonl")

    def test_train_save_load(self):
        self.ensure_model_can_train_save_and_load(self.param_file)

    def test_batch_consistency(self):
        self.ensure_batch_predictions_are_consistent()

    def test_binary_metrics(self):
        self.model(**self.dataset.as_tensor_dict())
        metrics = self.model.get_metrics(reset=True)
        assert set(metrics) == {"accuracy", "f1_macro", "auc", "recall_at_p95", "main_score"}


class TestDM2S2Regression(ModelTestCase):
    def setup_method(self):
        super().setup_method()
        self.set_up_model(CONFIGS / "regression.jsonnet", GENERIC / "regression.jsonl")

    def test_train_save_load(self):
        self.ensure_model_can_train_save_and_load(self.param_file)

    def test_batch_consistency(self):
        self.ensure_batch_predictions_are_consistent()

    def test_rmse_loss_is_eq17(self):
        fit_head(self.model, self.instances)
        self.model.eval()
        output = self.model(**self.dataset.as_tensor_dict())
        gold = torch.tensor([float(i["label"].tensor) for i in self.instances])
        expected = torch.sqrt(((output["prediction"] - gold) ** 2).mean())
        # Eq. 17 fitted in units of the training targets' standard deviation
        std = float(self.model.head.target_std)
        assert std == pytest.approx(float(gold.std(unbiased=False)), rel=1e-5)
        assert output["loss"].item() * std == pytest.approx(expected.item(), rel=1e-4)
        metrics = self.model.get_metrics(reset=True)
        assert metrics["rmse"] == pytest.approx(expected.item(), rel=1e-4)
        assert metrics["mape_excluded"] == 1  # r3 has a conversion rate of 0


def build(encoder=TINY_BERT, path=GENERIC / "multilabel.jsonl", modalities=MOVIE, task="multilabel",
          encoder_args=None, head_args=None, **model_kwargs):
    reader = MultimodalJsonlReader(modalities=modalities, task=task, transformer_model_name=encoder, max_length=64)
    instances = list(reader.read(str(path)))
    vocab = Vocabulary.from_instances(instances)
    model = make_model("dm2s2", vocab, modalities, task, encoder, encoder_args=encoder_args, head_args=head_args,
                       **model_kwargs)
    fit_head(model, instances)
    batch = Batch(instances)
    batch.index_instances(vocab)
    return model, batch.as_tensor_dict(), instances, vocab


def test_class_weights_are_inverse_label_frequencies():
    model, tensors, instances, vocab = build()
    names = model.head.names
    counts = {name: sum(name in i["label"].labels for i in instances) for name in names}
    raw = torch.tensor([1.0 / counts[name] for name in names])
    expected = raw * len(raw) / raw.sum()
    torch.testing.assert_close(model.head.class_weights, expected)
    sqrt_model, *_ = build(head_args={"class_weighting": "inverse_sqrt"})
    raw = raw.sqrt()
    torch.testing.assert_close(sqrt_model.head.class_weights, raw * len(raw) / raw.sum())
    none_model, *_ = build(head_args={"class_weighting": "none"})
    assert (none_model.head.class_weights == 1).all()
    # Eq. 16 by hand: weighted binary cross-entropy, summed over classes, averaged over samples
    model.eval()
    output = model(**tensors)
    p = output["probs"].double()
    y = tensors["label"].double()
    hand = -(model.head.class_weights.double() * (y * p.log() + (1 - y) * (1 - p).log())).sum(-1).mean()
    assert output["loss"].item() == pytest.approx(hand.item(), rel=1e-5)


def test_ablation_switches_remove_parameters():
    full, tensors, *_ = build()
    names = {n for n, _ in full.named_parameters()}
    assert {"intra.weight", "intra.query", "inter.weight", "inter.query"} <= names
    assert full.intra.weight.shape == (len(MOVIE), 32, 32)  # one W(m) per modality
    encoder_only, *_ = build(use_intra=False, use_inter=False)
    assert not any(n.startswith(("intra.", "inter.")) for n, _ in encoder_only.named_parameters())
    out = encoder_only(**tensors)
    assert (out["inter_weights"] == 0).all() and (out["intra_weights"] == 0).all()
    intra_only, *_ = build(use_inter=False)
    assert intra_only.inter is None and intra_only.intra is not None
    for kwargs in ({"residual": False}, {"similarity": "scaled_dot_product"}, {"pooling": "max"},
                   {"pooling": "sum"}):
        model, *_ = build(**kwargs)
        model.eval()
        out = model(**tensors)
        assert torch.isfinite(out["loss"]), kwargs
    # a switch changes the function: same weights, residual off -> different outputs
    torch.manual_seed(0)
    a, *_ = build()
    b, *_ = build(residual=False)
    b.load_state_dict(a.state_dict())
    a.eval()
    b.eval()
    assert not torch.allclose(a(**tensors)["logits"], b(**tensors)["logits"])


def test_frozen_encoder_stays_in_eval_mode_and_gets_no_gradient():
    model, tensors, *_ = build()
    model.train()
    assert not hf_model(model).training  # no dropout in the frozen encoder
    assert not any(p.requires_grad for p in model.encoder.parameters())
    model(**tensors)["loss"].backward()
    assert model.intra.weight.grad is not None
    tuned, *_ = build(encoder_args={"train_parameters": True})
    tuned.train()
    assert hf_model(tuned).training
    tuned(**tensors)["loss"].backward()
    assert any(p.grad is not None for p in tuned.encoder.parameters())


@pytest.mark.parametrize("encoder", [TINY_BERT, TINY_ROBERTA], ids=["bert", "roberta"])
def test_unified_sequence_matches_eq2_for_both_tokenizer_styles(encoder):
    from transformers import AutoTokenizer

    model, tensors, instances, _ = build(encoder)
    hf = AutoTokenizer.from_pretrained(encoder)
    unified = model.encoder.unify(*model.modality_token_ids(tensors["modalities"]))
    for i, instance in enumerate(instances):
        expected = [hf.cls_token_id]
        for field in instance["modalities"].field_list:
            expected += [hf.convert_tokens_to_ids(t.text) for t in field.tokens] + [hf.sep_token_id]
        n = int(unified.attention_mask[i].sum())
        assert unified.input_ids[i, :n].tolist() == expected
        assert (unified.input_ids[i, n:] == hf.pad_token_id).all()
    assert hf.cls_token in ("[CLS]", "<s>")


def test_model_truncates_to_max_length_even_if_the_reader_did_not(tmp_path):
    text = " ".join(["story"] * 200)
    path = tmp_path / "long.jsonl"
    path.write_text('{"id": "x", "modalities": {"a": "%s", "b": "toy", "c": "%s"}, "label": ["A"]}\n' % (text, text))
    reader = MultimodalJsonlReader(modalities=["a", "b", "c"], transformer_model_name=TINY_BERT, max_length=512)
    instances = list(reader.read(str(path)))
    with pytest.raises(ConfigurationError, match="the encoder's `max_length` 100 is not the reader's `max_length` 512"):
        make_model("dm2s2", Vocabulary.from_instances(instances), ["a", "b", "c"], max_length=100)
    vocab = Vocabulary({"labels": {"A": 1}}, non_padded_namespaces=["labels"])  # one stating no reader facts
    model = make_model("dm2s2", vocab, ["a", "b", "c"], max_length=100)
    batch = Batch(instances)
    batch.index_instances(vocab)
    tensors = batch.as_tensor_dict()
    unified = model.encoder.unify(*model.modality_token_ids(tensors["modalities"]))
    assert unified.input_ids.shape[1] == 100
    assert (unified.modality_ids[0] == 1).sum() == 1  # the short modality is kept whole
    out = model(**tensors)
    assert torch.isfinite(out["loss"])


def test_wrong_number_of_modalities_is_a_clear_error():
    model, tensors, *_ = build()
    bad = copy.deepcopy(tensors)
    bad["modalities"]["tokens"] = {k: v[:, :3] for k, v in bad["modalities"]["tokens"].items()}
    with pytest.raises(Exception, match="modalities"):
        model(**bad)


def test_from_params_registered_name():
    params = Params({"type": "dm2s2", "modalities": MOVIE, "encoder": {"model_name": TINY_BERT},
                     "head": {"type": "multilabel"}})
    vocab = Vocabulary({"labels": {"A": 1, "B": 1}}, non_padded_namespaces=["labels"])
    model = Model.from_params(vocab=vocab, params=params)
    assert isinstance(model, DM2S2) and model.default_predictor == "dm2s2"


def test_missing_label_counts_warn_when_training_but_not_when_loading(caplog):
    import logging

    model, tensors, _, vocab = build()
    untrained = make_model("dm2s2", vocab, MOVIE)  # the head's statistics were never fitted
    assert (untrained.head.class_weights == 1).all()
    loaded = make_model("dm2s2", vocab, MOVIE)
    loaded.load_state_dict(model.state_dict())  # as an archive does: the trained weights come back
    torch.testing.assert_close(loaded.head.class_weights, model.head.class_weights)
    with caplog.at_level(logging.WARNING):
        loaded.train()
        loaded(**tensors)
        assert not any("without statistics" in r.getMessage() for r in caplog.records)
        untrained.train()
        untrained(**tensors)
        untrained(**tensors)
    assert sum("without statistics" in r.getMessage() for r in caplog.records) == 1
    explicit = make_model("dm2s2", vocab, MOVIE, head_args={"label_counts": {name: 2 for name in model.head.names}})
    assert explicit.head.fitted and bool(explicit.head.statistics_fitted)
