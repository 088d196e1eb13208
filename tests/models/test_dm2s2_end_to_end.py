"""DM2S2's whole forward -- encoder -> IntraMRA -> InterMRA -> pooling -> MLP -> head -- against a pipeline built by
hand in float64 from the paper's equations (Eq. 2 layout, Eq. 5-16) on a tiny real encoder; and the printed form of
Eq. 16 from its formula."""
import math

import pytest
import torch
from allennlp.data import Batch, Vocabulary

from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
from tests.conftest import FIXTURES, TINY_BERT, fit_head, make_model, hf_model
from tests.modules.test_mra import reference

MOVIE = ["title", "year", "length", "labels", "faces"]


def setup(head_args=None, **model_args):
    reader = MultimodalJsonlReader(modalities=MOVIE, transformer_model_name=TINY_BERT, max_length=64)
    instances = list(reader.read(str(FIXTURES / "generic" / "multilabel.jsonl")))
    vocab = Vocabulary.from_instances(instances)
    torch.manual_seed(4)
    model = make_model("dm2s2", vocab, MOVIE, encoder_args={"cache": None}, head_args=head_args,
                       mlp={"hidden_dims": [8], "activation": "tanh", "dropout": 0.0}, **model_args).eval()
    fit_head(model, instances)
    batch = Batch(instances)
    batch.index_instances(vocab)
    return model, batch.as_tensor_dict(), instances


@pytest.mark.parametrize("missing", ["masked", "literal"])
def test_forward_matches_a_float64_pipeline_built_from_the_equations(missing):
    model, tensors, instances = setup(missing_modality_scores=missing)
    output = model(**tensors)
    hf = hf_model(model).double()
    tokenizer_ids = tensors["modalities"]["tokens"]["token_ids"]
    cls_id, sep_id = model.encoder.cls_id, model.encoder.sep_id
    for b, instance in enumerate(instances):
        # Eq. 2: [CLS] x(1) [SEP] ... x(M) [SEP], each modality at its true length
        ids, modality_of = [cls_id], [-1]
        for m, field in enumerate(instance["modalities"].field_list):
            n = len(field.tokens)
            ids += tokenizer_ids[b, m, :n].tolist() + [sep_id]
            modality_of += [m] * n + [-1]
        with torch.no_grad():
            H = hf(torch.tensor([ids])).last_hidden_state[0]  # the frozen encoder
        intra, inter = model.intra.double(), model.inter.double()
        if missing == "masked":
            h, a_intra, a_inter = reference(H, modality_of, intra, inter, "additive", True)
        else:  # Eq. 13 over all M modalities: a missing one's H'_m is 0 and its score q^T tanh(0) = 0
            h, a_intra, a_inter = literal_reference(H, modality_of, intra, inter)
        layers = [m for m in model.mlp.modules() if isinstance(m, torch.nn.Linear)]  # FeedForward's, then output
        hidden = torch.tanh(layers[0].weight.double() @ h + layers[0].bias.double())  # rho (Eq. 6)
        logits = layers[-1].weight.double() @ hidden + layers[-1].bias.double()
        torch.testing.assert_close(output["logits"][b].double(), logits, atol=2e-5, rtol=1e-4)
        torch.testing.assert_close(output["inter_weights"][b].double(), torch.tensor(a_inter, dtype=torch.float64),
                                   atol=2e-5, rtol=1e-4)


def literal_reference(H, modality_of, intra, inter):
    from tests.modules.test_mra import S, softmax

    M = intra.weight.shape[0]
    h_masked, a_intra, _ = reference(H, modality_of, intra, inter, "additive", True)
    N, d = H.shape
    H_intra = torch.zeros_like(H)
    for m in range(M):
        positions = [t for t in range(N) if modality_of[t] == m]
        if positions:
            a = softmax([S(H[t], intra.weight[m], intra.query[m], "additive") for t in positions])
            for t, w in zip(positions, a):
                H_intra[t] = w * H[t] + H[t]
    sums = [sum((H_intra[t] for t in range(N) if modality_of[t] == m), torch.zeros(d, dtype=H.dtype)) for m in range(M)]
    a_inter = softmax([S(sums[m], inter.weight, inter.query, "additive") for m in range(M)])
    tokens = [t for t in range(N) if modality_of[t] >= 0]
    H_inter = [a_inter[modality_of[t]] * H_intra[t] + H_intra[t] for t in tokens]
    h = sum(H_inter) / len(tokens) if tokens else torch.zeros(d, dtype=H.dtype)  # Eq. 5 (no tokens: 0)
    return h, a_intra, a_inter


def test_printed_eq16_is_the_weighted_positive_term_alone():
    model, tensors, _ = setup(head_args={"loss_terms": "printed"})
    output = model(**tensors)
    p = torch.sigmoid(output["logits"].double())
    y = tensors["label"].double()
    w = model.head.class_weights.double()
    printed = -(w * y * p.log()).sum(-1).mean()  # -1/N sum_j sum_k w_k Y_jk log Yhat_jk
    assert output["loss"].item() == pytest.approx(printed.item(), rel=1e-5)
    both = setup()[0]
    both.load_state_dict(model.state_dict())
    full = both(**tensors)["loss"].item()
    assert full > output["loss"].item() and not math.isclose(full, output["loss"].item())
