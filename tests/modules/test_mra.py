"""IntraMRA / InterMRA / pooling against a hand computation of DM2S2 Eq. 7-15 in float64, written with explicit
loops over modalities and tokens, straight from the equations."""
import math

import pytest
import torch

from dm2s2_allennlp.modules import IntraModalityResidualAttention, InterModalityResidualAttention, pool_tokens


@torch.no_grad()
def S(h, W, q, kind):  # Eq. 8 (additive) or the scaled dot-product alternative
    if kind == "additive":
        return float(q @ torch.tanh(W @ h))
    return float(q @ (W @ h)) / math.sqrt(h.numel())


def softmax(xs):
    m = max(xs)
    e = [math.exp(x - m) for x in xs]
    return [v / sum(e) for v in e]


def reference(H, mod_ids, intra, inter, kind, residual, pooling="mean"):
    """One sample: H (N, d), mod_ids (N,) -> (h, intra weight per position, inter weight per modality)."""
    M = intra.weight.shape[0]
    N, d = H.shape
    a_intra = [0.0] * N
    H_intra = torch.zeros_like(H)
    for m in range(M):
        positions = [t for t in range(N) if mod_ids[t] == m]
        if not positions:
            continue
        a = softmax([S(H[t], intra.weight[m].double(), intra.query[m].double(), kind) for t in positions])  # Eq. 7, 9
        for t, w in zip(positions, a):
            a_intra[t] = w
            H_intra[t] = w * H[t] + (H[t] if residual else 0)  # Eq. 10
    present = [m for m in range(M) if any(mod_ids[t] == m for t in range(N))]
    Hp = {m: sum(H_intra[t] for t in range(N) if mod_ids[t] == m) for m in present}  # Eq. 12
    a_inter = [0.0] * M
    if present:
        w = softmax([S(Hp[m], inter.weight.double(), inter.query.double(), kind) for m in present])  # Eq. 13
        for m, v in zip(present, w):
            a_inter[m] = v
    H_inter = torch.zeros_like(H)
    for t in range(N):
        m = mod_ids[t]
        if m >= 0:
            H_inter[t] = a_inter[m] * H_intra[t] + (H_intra[t] if residual else 0)  # Eq. 14
    tokens = [t for t in range(N) if mod_ids[t] >= 0]
    if not tokens:
        h = torch.zeros(d, dtype=H.dtype)
    elif pooling == "mean":
        h = sum(H_inter[t] for t in tokens) / len(tokens)  # Eq. 5
    elif pooling == "sum":
        h = sum(H_inter[t] for t in tokens)
    else:
        h = torch.stack([H_inter[t] for t in tokens]).max(0).values
    return h, a_intra, a_inter


def run(H, ids, intra, inter, pooling="mean"):
    h1, w_intra = intra(H, ids)
    h2, w_inter = inter(h1, ids)
    return pool_tokens(h2, ids >= 0, pooling), w_intra, w_inter


@pytest.mark.parametrize("kind", ["additive", "scaled_dot_product"])
@pytest.mark.parametrize("residual", [True, False])
@pytest.mark.parametrize("pooling", ["mean", "sum", "max"])
def test_matches_hand_computation_with_masks_and_an_empty_modality(kind, residual, pooling):
    torch.manual_seed(1)
    M, d = 3, 5
    intra = IntraModalityResidualAttention(M, d, kind, residual).double()
    inter = InterModalityResidualAttention(M, d, kind, residual).double()
    # sample 0: CLS m0 m0 m0 SEP SEP(m1 empty) m2 m2 SEP pad ; sample 1: CLS SEP m1 SEP m2 SEP pad pad pad pad
    ids = torch.tensor([[-1, 0, 0, 0, -1, -1, 2, 2, -1, -1],
                        [-1, -1, 1, -1, 2, -1, -1, -1, -1, -1]])
    H = torch.randn(2, 10, d, dtype=torch.float64)
    h, w_intra, w_inter = run(H, ids, intra, inter, pooling)
    for b in range(2):
        ref_h, ref_intra, ref_inter = reference(H[b], ids[b].tolist(), intra, inter, kind, residual, pooling)
        torch.testing.assert_close(h[b], ref_h, rtol=1e-10, atol=1e-10)
        torch.testing.assert_close(w_intra[b], torch.tensor(ref_intra, dtype=torch.float64), rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(w_inter[b], torch.tensor(ref_inter, dtype=torch.float64), rtol=1e-10, atol=1e-12)
    # softmaxes: each present modality's token weights sum to 1; modality weights over present modalities sum to 1
    assert w_intra[0, 1:4].sum().item() == pytest.approx(1.0)
    assert w_intra[0, 6:8].sum().item() == pytest.approx(1.0)
    assert w_inter[0, 1].item() == 0.0  # the empty modality gets no weight
    assert w_inter.sum(-1).tolist() == pytest.approx([1.0, 1.0])


def test_permuting_modalities_with_their_parameters_leaves_h_unchanged():
    torch.manual_seed(2)
    M, d = 3, 4
    intra = IntraModalityResidualAttention(M, d).double()
    inter = InterModalityResidualAttention(M, d).double()
    tokens = {0: torch.randn(2, d, dtype=torch.float64), 1: torch.randn(4, d, dtype=torch.float64),
              2: torch.randn(1, d, dtype=torch.float64)}

    def layout(order):
        rows, ids = [torch.zeros(1, d, dtype=torch.float64)], [-1]
        for new_index, m in enumerate(order):
            rows += [tokens[m], torch.zeros(1, d, dtype=torch.float64)]
            ids += [new_index] * len(tokens[m]) + [-1]
        return torch.cat(rows).unsqueeze(0), torch.tensor([ids])

    H, ids = layout([0, 1, 2])
    h, _, w = run(H, ids, intra, inter)
    order = [2, 0, 1]
    H_p, ids_p = layout(order)
    intra_p = IntraModalityResidualAttention(M, d).double()
    intra_p.weight.data = intra.weight.data[order].clone()
    intra_p.query.data = intra.query.data[order].clone()
    h_p, _, w_p = run(H_p, ids_p, intra_p, inter)
    torch.testing.assert_close(h_p, h, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(w_p[0], w[0, order], rtol=1e-12, atol=1e-12)


def test_every_modality_empty_gives_finite_zeros():
    intra = IntraModalityResidualAttention(3, 4)
    inter = InterModalityResidualAttention(3, 4)
    ids = torch.tensor([[-1, -1, -1, -1]])
    H = torch.randn(1, 4, 4)
    for pooling in ("mean", "max", "sum"):
        h, w_intra, w_inter = run(H, ids, intra, inter, pooling)
        assert torch.isfinite(h).all() and (h == 0).all()
        assert (w_intra == 0).all() and (w_inter == 0).all()
    # gradients stay finite too
    H.requires_grad_(True)
    h, _, _ = run(H, ids, intra, inter)
    (h.sum() + intra.query.sum() * 0).backward()
    assert torch.isfinite(H.grad).all()


@pytest.mark.parametrize("kind", ["additive", "scaled_dot_product"])
def test_literal_eq13_keeps_a_missing_modalitys_zero_sum_in_the_softmax(kind):
    """Eq. 12-13 as printed: the missing modality's H'_m is the empty sum (the zero vector), its score S(0) stays in
    the softmax over all M modalities, so it takes weight from the present ones without weighting any token."""
    torch.manual_seed(3)
    M, d = 3, 5
    inter = InterModalityResidualAttention(M, d, kind, True, missing_scores="literal").double()
    ids = torch.tensor([[-1, 0, 0, -1, -1, 2, -1]])  # modality 1 missing
    H = torch.randn(1, 7, d, dtype=torch.float64)
    out, weights = inter(H, ids)
    sums = {m: sum((H[0, t] for t in range(7) if ids[0, t] == m), torch.zeros(d, dtype=torch.float64))
            for m in range(M)}  # Eq. 12, the empty sum for m = 1
    scores = [S(sums[m], inter.weight, inter.query, kind) for m in range(M)]  # Eq. 13 over all M
    assert scores[1] == 0.0  # q^T tanh(W 0) = 0 (and q^T W 0 / sqrt(d) = 0)
    expected = softmax(scores)
    torch.testing.assert_close(weights[0], torch.tensor(expected, dtype=torch.float64), rtol=1e-10, atol=1e-12)
    assert weights[0, 1] > 0 and weights[0, [0, 2]].sum() < 1  # the present modalities are down-weighted
    for t in range(7):  # Eq. 14 with those weights
        m = int(ids[0, t])
        target = (expected[m] * H[0, t] + H[0, t]) if m >= 0 else torch.zeros(d, dtype=torch.float64)
        torch.testing.assert_close(out[0, t], target, rtol=1e-10, atol=1e-12)
    masked, _ = InterModalityResidualAttention(M, d, kind, True, missing_scores="masked").double(), None
    masked.load_state_dict(inter.state_dict())
    assert masked(H, ids)[1][0, 1] == 0.0 and masked(H, ids)[1][0].sum().item() == pytest.approx(1.0)


def test_pooling_is_allennlps_masked_mean_and_max_with_an_empty_sample_pooling_to_zero():
    from allennlp.nn import util

    hidden = torch.randn(3, 5, 4)
    mask = torch.tensor([[1, 1, 0, 1, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 0]], dtype=torch.bool)
    for pooling, reference in (("mean", util.masked_mean), ("max", util.masked_max)):
        pooled = pool_tokens(hidden, mask, pooling)
        expected = reference(hidden, mask.unsqueeze(-1), dim=1)
        torch.testing.assert_close(pooled[[0, 2]], expected[[0, 2]])
        assert torch.equal(pooled[1], torch.zeros(4))  # no tokens: Eq. 5's empty pool is 0
    torch.testing.assert_close(pool_tokens(hidden, mask, "sum")[0], hidden[0, [0, 1, 3]].sum(0))


def test_masked_softmax_is_allennlps_where_they_agree_and_differs_only_at_its_edges():
    from allennlp.nn import util

    from dm2s2_allennlp.modules.similarity import masked_softmax

    scores = torch.randn(4, 6)
    mask = torch.rand(4, 6) > 0.3
    mask[:, 0] = True
    torch.testing.assert_close(masked_softmax(scores, mask, -1), util.masked_softmax(scores, mask, dim=-1))
    empty = torch.zeros(1, 3, dtype=torch.bool)
    assert torch.equal(masked_softmax(torch.randn(1, 3), empty, -1), torch.zeros(1, 3))
    assert torch.allclose(util.masked_softmax(torch.randn(1, 3), empty, dim=-1, memory_efficient=True),
                          torch.full((1, 3), 1 / 3))  # AllenNLP's efficient form: uniform over nothing
    far = torch.tensor([[-200.0, -201.0, 5.0]])  # the third is masked out
    present = torch.tensor([[True, True, False]])
    ours = masked_softmax(far, present, -1)
    torch.testing.assert_close(ours, torch.tensor([[1 / (1 + math.exp(-1)), 1 - 1 / (1 + math.exp(-1)), 0.0]]))
    assert float(util.masked_softmax(far, present, dim=-1).sum()) == 0.0  # AllenNLP's default underflows
