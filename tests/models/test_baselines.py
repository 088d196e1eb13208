"""The baselines: each trains, saves and loads through AllenNLP on every task, and each computes its paper's
equations (checked here against a hand computation from the same weights)."""
import math
import os

import pytest
import torch
from allennlp.common.testing import ModelTestCase
from allennlp.data import Batch, Vocabulary

from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
from dm2s2_allennlp.models import (ConcatFusion, DeepMultiModalSets, DM2S2, EncoderOnly, ModalityAttentionMergerModel,
                                   MultimodalAutoencoderModel)
from dm2s2_allennlp.models.per_modality import encode_each_modality, modality_vectors
from dm2s2_allennlp.modules.set_pooling import modality_importance, set_pool
from tests.conftest import FIXTURES, TINY_BERT, fit_head, make_model, hf_model

CONFIG = FIXTURES / "configs" / "baseline.jsonnet"
GENERIC = FIXTURES / "generic"
MOVIE = ["title", "year", "length", "labels", "faces"]
DATA = {"multilabel": "multilabel.jsonl", "classification": "classification.jsonl", "regression": "regression.jsonl"}
MODELS = ["encoder_only", "encoder_only_segments", "dmms", "modality_attention_merger", "mmae", "concat_fusion"]


class TestBaselineTrainsSavesLoads(ModelTestCase):
    @pytest.mark.parametrize("task", sorted(DATA))
    @pytest.mark.parametrize("model", MODELS)
    def test_train_save_load_and_batch_consistency(self, model, task):
        os.environ["DM2S2_TEST_MODEL"], os.environ["DM2S2_TEST_TASK"] = model, task
        self.set_up_model(CONFIG, GENERIC / DATA[task])
        self.ensure_model_can_train_save_and_load(self.param_file)
        self.ensure_batch_predictions_are_consistent()


NAMES = {DM2S2: "dm2s2", EncoderOnly: "encoder_only", DeepMultiModalSets: "dmms", ConcatFusion: "concat_fusion",
         ModalityAttentionMergerModel: "modality_attention_merger", MultimodalAutoencoderModel: "mmae"}


def build(model_class, task="multilabel", path=GENERIC / "multilabel.jsonl", modalities=MOVIE, encoder=TINY_BERT,
          head_args=None, encoder_args=None, **kwargs):
    reader = MultimodalJsonlReader(modalities=modalities, task=task, transformer_model_name=encoder, max_length=64)
    instances = list(reader.read(str(path)))
    vocab = Vocabulary.from_instances(instances)
    torch.manual_seed(0)
    model = make_model(NAMES[model_class], vocab, modalities, task, encoder, head_args=head_args,
                       encoder_args=encoder_args, **kwargs)
    fit_head(model, instances)
    batch = Batch(instances)
    batch.index_instances(vocab)
    model.eval()
    return model, batch.as_tensor_dict(), instances


def present_mask(instances):
    return torch.tensor([[len(f.tokens) > 0 for f in i["modalities"].field_list] for i in instances])


def test_each_modality_is_encoded_on_its_own():
    model, tensors, instances = build(ConcatFusion)
    hf = hf_model(model)
    ids_and_mask = model.modality_token_ids(tensors["modalities"])
    states, mask = encode_each_modality(model.encoder, *ids_and_mask)
    for b, instance in enumerate(instances):
        for m, field in enumerate(instance["modalities"].field_list):
            n = len(field.tokens)
            assert int(mask[b, m].sum()) == n
            if n == 0:
                assert (states[b, m] == 0).all()
                continue
            ids = tensors["modalities"]["tokens"]["token_ids"][b, m, :n].tolist()
            alone = hf(torch.tensor([[model.encoder.cls_id] + ids + [model.encoder.sep_id]])).last_hidden_state[0, 1:1 + n]
            # the cache stores fp16, so compare at that precision
            torch.testing.assert_close(states[b, m, :n], alone.half().float(), atol=2e-3, rtol=2e-3)
    vectors, present = modality_vectors(model.encoder, *ids_and_mask, "mean")
    torch.testing.assert_close(present, present_mask(instances))
    expected = states.sum(2) / mask.sum(2, keepdim=True).clamp_min(1)
    torch.testing.assert_close(vectors, expected)


def test_dmms_is_phi_then_set_pooling_then_rho():
    model, tensors, instances = build(DeepMultiModalSets, set_dim=12, mlp={"hidden_dims": [6]},
                                      head_args={"class_weighting": "inverse_sqrt"})
    present = present_mask(instances)
    output = model(**tensors)
    vectors, _ = modality_vectors(model.encoder, *model.modality_token_ids(tensors["modalities"]))
    by_hand = []
    for b in range(len(instances)):
        elements = [model.phi[m](vectors[b, m]) for m in range(len(MOVIE)) if present[b, m]]
        pooled = torch.stack(elements).max(0).values if elements else torch.zeros(12)
        by_hand.append(model.rho(pooled))
    torch.testing.assert_close(output["logits"], torch.stack(by_hand))
    # feature importance: every pooled dimension is won by one present modality; a missing one wins nothing
    importance = output["modality_importance"]
    for b in range(len(instances)):
        assert int(importance[b].sum()) == (12 if present[b].any() else 0)
        assert (importance[b][~present[b]] == 0).all()
    # 001's training details: bias -log((1 - pi) / pi) with pi = 0.01, class weights 1 / sqrt(frequency)
    assert torch.allclose(model.rho[-1].bias, torch.full_like(model.rho[-1].bias, -math.log(99)))
    counts = torch.tensor([sum(n in i["label"].labels for i in instances) for n in model.head.names],
                          dtype=torch.float)
    raw = 1 / counts.sqrt()
    torch.testing.assert_close(model.head.class_weights, raw * len(raw) / raw.sum())


@pytest.mark.parametrize("pooling", ["sum", "min", "mean", "max"])
def test_set_pooling_ignores_missing_elements(pooling):
    elements = torch.tensor([[[1.0, -2.0], [5.0, 7.0], [-3.0, 4.0]]])
    present = torch.tensor([[True, False, True]])
    pooled, winners = set_pool(elements, present, pooling)
    expected = {"sum": [-2.0, 2.0], "min": [-3.0, -2.0], "mean": [-1.0, 1.0], "max": [1.0, 4.0]}[pooling]
    assert pooled[0].tolist() == expected
    if pooling in ("max", "min"):
        assert winners[0].tolist() == ([0, 2] if pooling == "max" else [2, 0])
        assert modality_importance(winners, 3)[0].tolist() == [1, 0, 1]
    empty, _ = set_pool(elements, torch.zeros(1, 3, dtype=torch.bool), pooling)
    assert (empty == 0).all()


def test_merger_two_modalities_is_eq2_to_eq5():
    modalities = ["transcription", "message"]
    model, tensors, instances = build(ModalityAttentionMergerModel, task="classification",
                                      path=GENERIC / "classification.jsonl", modalities=modalities, kl_weight=0.3)
    with torch.no_grad():  # LayerNorm gains and biases away from their initial 1 and 0
        model.merger.norm_weight.uniform_(0.5, 1.5)
        model.merger.norm_bias.uniform_(-0.5, 0.5)
    model.train()
    output = model(**tensors)
    vectors, present = modality_vectors(model.encoder, *model.modality_token_ids(tensors["modalities"]), "sum")
    norm = []
    for m in range(2):  # one LayerNorm per modality
        layer_norm = torch.nn.LayerNorm(vectors.size(-1))
        layer_norm.weight.data, layer_norm.bias.data = model.merger.norm_weight[m], model.merger.norm_bias[m]
        norm.append(layer_norm(vectors[:, m]) * present[:, m:m + 1])
    p_text = torch.sigmoid(model.merger.scorer(torch.cat(norm, -1))).squeeze(-1)  # Eq. 2
    both = present.all(-1)
    p = torch.stack([p_text, 1 - p_text], -1)
    p = torch.where(both.unsqueeze(-1), p, present.float())  # one modality present: all its weight
    torch.testing.assert_close(output["modality_weights"], p)
    merged = torch.cat([p[:, 0:1] * norm[0], p[:, 1:2] * norm[1]], -1)  # Eq. 3
    torch.testing.assert_close(output["logits"], model.classifier(merged))
    kl = torch.where(both, (p * p.clamp_min(1e-12).log()).sum(-1) + math.log(2), torch.zeros(len(p)))  # Eq. 5
    torch.testing.assert_close(output["modality_kl"], kl)
    task = torch.nn.functional.cross_entropy(output["logits"], tensors["label"], weight=model.head.class_weights)
    torch.testing.assert_close(output["loss"], task + 0.3 * kl.mean())  # Eq. 4 (batch-averaged)
    assert "modality_kl" in model.get_metrics()


def test_merger_softmax_over_present_modalities_and_collapse_penalty():
    model, tensors, instances = build(ModalityAttentionMergerModel, kl_weight=1.0)
    output = model(**tensors)
    present = present_mask(instances)
    weights = output["modality_weights"]
    assert (weights[~present] == 0).all()
    sums = weights.sum(-1)
    torch.testing.assert_close(sums, present.any(-1).float())
    # KL to uniform over the K present modalities: 0 for uniform weights, log K when collapsed onto one
    from dm2s2_allennlp.modules.modality_attention_merger import ModalityAttentionMerger

    merger = ModalityAttentionMerger(3, 4)
    with torch.no_grad():
        merger.scorer.weight.zero_()
        merger.scorer.bias.copy_(torch.tensor([0.0, 0.0, 50.0]))
    all_three = torch.ones(1, 3, dtype=torch.bool)
    _, w, kl = merger(torch.randn(1, 3, 4), all_three)
    assert kl.item() == pytest.approx(math.log(3), abs=1e-4) and w[0, 2].item() == pytest.approx(1.0)
    merger.scorer.bias.data.zero_()
    _, w, kl = merger(torch.randn(1, 3, 4), all_three)
    assert kl.item() == pytest.approx(0.0, abs=1e-6)


def test_mmae_reconstruction_and_joint_loss():
    model, tensors, instances = build(MultimodalAutoencoderModel, code_dim=3, autoencoder_hidden_dim=5,
                                      attention_dim=4, reconstruction_weights={"title": 2.0},
                                      reconstruction_loss_weight=0.5)
    output = model(**tensors)
    present = present_mask(instances)
    vectors, _ = modality_vectors(model.encoder, *model.modality_token_ids(tensors["modalities"]))
    codes = [model.autoencoder.encoders[m](vectors[:, m]) for m in range(len(MOVIE))]
    joint = torch.cat(codes, -1)  # Eq. 5: h_mm = [h_1; ...; h_M]
    alphas = [2.0, 1.0, 1.0, 1.0, 1.0]
    rec = 0.0
    for m in range(len(MOVIE)):
        x_hat = model.autoencoder.decoders[m](joint)  # Eq. 6: every modality from the joint code
        rows = present[:, m]
        if rows.any():
            rec = rec + alphas[m] * ((x_hat[rows] - vectors[rows, m]) ** 2).mean()  # Eq. 7
    torch.testing.assert_close(output["reconstruction_loss"], torch.as_tensor(rec, dtype=torch.float))
    # Eq. 8-9: e_m = tanh(v_m . mu), softmax over the present modalities, v_hat_m = a_m v_m
    v = torch.stack([model.attention.projections[m](vectors[:, m]) for m in range(len(MOVIE))], 1)
    e = torch.tanh(v @ model.attention.mu).masked_fill(~present, -1e9)
    a = torch.softmax(e, -1) * present
    torch.testing.assert_close(output["modality_weights"], a)
    h = torch.cat([(a.unsqueeze(-1) * v).flatten(1), joint], -1)  # Eq. 10
    torch.testing.assert_close(output["logits"], model.classifier(h))
    task = output["task_loss"]
    torch.testing.assert_close(output["loss"], task + 0.5 * output["reconstruction_loss"])
    # the reconstruction term trains the autoencoder: one step lowers it
    model.train()
    model.attention.projections.apply(lambda m: setattr(m, "p", 0.0) if isinstance(m, torch.nn.Dropout) else None)
    optimizer = torch.optim.Adam(model.autoencoder.parameters(), lr=1e-2)
    before = model(**tensors)["reconstruction_loss"].item()
    for _ in range(20):
        loss = model(**tensors)["loss"]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert model(**tensors)["reconstruction_loss"].item() < before


def test_concat_fusion_uses_zeros_for_a_missing_modality():
    model, tensors, instances = build(ConcatFusion, mlp={"hidden_dims": [8]})
    output = model(**tensors)
    vectors, present = modality_vectors(model.encoder, *model.modality_token_ids(tensors["modalities"]))
    assert (vectors[~present] == 0).all() and (~present).any()
    torch.testing.assert_close(output["logits"], model.mlp(vectors.flatten(1)))


def test_encoder_only_is_dm2s2_without_mra_and_its_modality_embeddings_learn(encoder):
    plain, tensors, instances = build(EncoderOnly, mlp={"hidden_dims": [8]}, encoder=encoder)
    reference, *_ = build(DM2S2, use_intra=False, use_inter=False, mlp={"hidden_dims": [8]}, encoder=encoder)
    reference.mlp.load_state_dict(plain.mlp.state_dict())
    torch.testing.assert_close(plain(**tensors)["logits"], reference(**tensors)["logits"])
    typed, *_ = build(EncoderOnly, mlp={"hidden_dims": [8]}, modality_embeddings=True, encoder=encoder)
    hits = typed.encoder.cache.hits + typed.encoder.cache.misses
    typed.mlp.load_state_dict(plain.mlp.state_dict())
    # zero-initialised: it starts as the plain model (up to the plain model's fp16 cache)
    torch.testing.assert_close(typed(**tensors)["logits"], plain(**tensors)["logits"], atol=2e-3, rtol=2e-3)
    typed.train()
    typed(**tensors)["loss"].backward()
    grad = typed.modality_embedding.weight.grad
    assert grad is not None and grad[1:].abs().sum(-1).gt(0).all()  # every modality's embedding is trained
    assert all(p.grad is None for p in typed.encoder.parameters())  # the encoder stays frozen
    # its states depend on trainable embeddings: never looked up in, nor written to, the cache
    assert typed.encoder.cache.hits + typed.encoder.cache.misses == hits and not typed.encoder.cache.memory
    # segment ids: [CLS] 0, modality m's tokens and its closing [SEP] m + 1, padding 0
    unified = typed.encoder.unify(*typed.modality_token_ids(tensors["modalities"]))
    segments = unified.segment_ids()
    for b, instance in enumerate(instances):
        expected = [0]
        for m, field in enumerate(instance["modalities"].field_list):
            expected += [m + 1] * (len(field.tokens) + 1)
        assert segments[b, :len(expected)].tolist() == expected
        assert (segments[b, len(expected):] == 0).all()


def test_predictor_reports_baseline_modality_outputs(tmp_path):
    from allennlp.predictors import Predictor

    model, tensors, instances = build(ModalityAttentionMergerModel)
    reader = MultimodalJsonlReader(modalities=MOVIE, transformer_model_name=TINY_BERT, max_length=64)
    predictor = Predictor.by_name("dm2s2")(model, reader)
    result = predictor.predict_json({"id": "x", "modalities": {"title": "Heat", "faces": 3}})
    assert set(result["modality_weights"]) == set(MOVIE)
    assert result["modality_weights"]["year"] == 0.0
    assert sum(result["modality_weights"].values()) == pytest.approx(1.0, abs=1e-5)
    assert "intra_weights" not in result and "labels" in result


def test_dmms_can_take_each_modalitys_cls_state_as_its_paper_does(tmp_path):
    """001 Section 4.2: a text's vector is BERT's first output of the final layer, [CLS] of its own sequence."""
    model, tensors, instances = build(DeepMultiModalSets, set_dim=12, encoder_pooling="cls",
                                      encoder_args={"cache": {"directory": str(tmp_path), "dtype": "float32"}})
    ids_and_mask = model.modality_token_ids(tensors["modalities"])
    vectors, present = modality_vectors(model.encoder, *ids_and_mask, "cls")
    again, _ = modality_vectors(model.encoder, *ids_and_mask, "cls")  # read back from the cache
    hf = hf_model(model)
    for b, instance in enumerate(instances):
        for m, field in enumerate(instance["modalities"].field_list):
            n = len(field.tokens)
            if n == 0:
                assert not present[b, m] and (vectors[b, m] == 0).all()
                continue
            ids = tensors["modalities"]["tokens"]["token_ids"][b, m, :n].tolist()
            cls = hf(torch.tensor([[model.encoder.cls_id] + ids + [model.encoder.sep_id]])).last_hidden_state[0, 0]
            torch.testing.assert_close(vectors[b, m], cls, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(again, vectors, atol=0, rtol=0)
    assert model.encoder.cache.hits > 0


def test_encoder_only_cls_pooling_is_rho_of_the_first_state_of_the_unified_sequence(tmp_path):
    """Table 3's encoder only, pooled as BERT-style classifiers pool: rho(H_0) of [CLS] m1 [SEP] ... mM [SEP];
    DM2S2 with both MRAs off and `pooling: cls` is the same model, and refuses `cls` with an MRA on."""
    cache = {"cache": {"directory": str(tmp_path), "dtype": "float32"}}
    model, tensors, instances = build(EncoderOnly, pooling="cls", mlp={"hidden_dims": [8]}, encoder_args=cache)
    hf = hf_model(model)
    pooled = []
    model.mlp.register_forward_hook(lambda module, inputs, output: pooled.append(inputs[0]))  # what rho reads
    logits = model(**tensors)["logits"]
    for b, instance in enumerate(instances):
        sequence = [model.encoder.cls_id]
        for m, field in enumerate(instance["modalities"].field_list):
            sequence += tensors["modalities"]["tokens"]["token_ids"][b, m, :len(field.tokens)].tolist()
            sequence.append(model.encoder.sep_id)
        first = hf(torch.tensor([sequence])).last_hidden_state[0, 0]
        torch.testing.assert_close(pooled[0][b], first, atol=1e-5, rtol=1e-5)
    mean, *_ = build(EncoderOnly, mlp={"hidden_dims": [8]}, encoder_args=cache)
    mean.mlp.load_state_dict(model.mlp.state_dict())
    assert not torch.allclose(mean(**tensors)["logits"], logits)  # another pooling, another output
    same, *_ = build(DM2S2, use_intra=False, use_inter=False, pooling="cls", mlp={"hidden_dims": [8]},
                     encoder_args=cache)
    same.mlp.load_state_dict(model.mlp.state_dict())
    torch.testing.assert_close(same(**tensors)["logits"], logits, atol=2e-4, rtol=2e-4)  # float32 cache vs batch
    with pytest.raises(Exception, match="use_intra: false, use_inter: false"):
        build(DM2S2, pooling="cls")
