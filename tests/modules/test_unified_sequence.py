import torch

from dm2s2_allennlp.modules.unified_sequence import build_unified_sequence

CLS, SEP, PAD = 101, 102, 0


def test_eq2_layout_with_empty_modality_and_padding():
    # sample 0: modalities [11 12] [] [31]; sample 1: [] [21 22] [] (its third token is padding)
    ids = torch.tensor([[[11, 12, 0], [0, 0, 0], [31, 0, 0]],
                        [[0, 0, 0], [21, 22, 0], [0, 0, 0]]])
    lengths = torch.tensor([[2, 0, 1], [0, 2, 0]])
    u = build_unified_sequence(ids, lengths, CLS, SEP, PAD)
    assert u.input_ids.tolist() == [[CLS, 11, 12, SEP, SEP, 31, SEP],
                                    [CLS, SEP, 21, 22, SEP, SEP, PAD]]
    assert u.modality_ids.tolist() == [[-1, 0, 0, -1, -1, 2, -1],
                                       [-1, -1, 1, 1, -1, -1, -1]]
    assert u.attention_mask.tolist() == [[True] * 7, [True] * 6 + [False]]
    # per-position values go back to (batch, M, T)
    values = torch.arange(14, dtype=torch.float).view(2, 7)
    back = u.scatter_back(values)
    assert back.tolist() == [[[1, 2, 0], [0, 0, 0], [5, 0, 0]], [[0, 0, 0], [9, 10, 0], [0, 0, 0]]]


def test_trimmed_tokens_are_dropped_from_the_end():
    ids = torch.tensor([[[1, 2, 3, 4]]])
    u = build_unified_sequence(ids, torch.tensor([[2]]), CLS, SEP, PAD)
    assert u.input_ids.tolist() == [[CLS, 1, 2, SEP]]
    assert u.kept.tolist() == [[[True, True, False, False]]]


def test_all_empty_sample():
    u = build_unified_sequence(torch.zeros(1, 3, 0, dtype=torch.long), torch.zeros(1, 3, dtype=torch.long),
                               CLS, SEP, PAD)
    assert u.input_ids.tolist() == [[CLS, SEP, SEP, SEP]]
    assert (u.modality_ids == -1).all()


def test_host_planned_indices_match_the_layout():
    token_ids = torch.tensor([[[5, 6, 7], [8, 0, 0]], [[9, 0, 0], [0, 0, 0]]])
    lengths = torch.tensor([[3, 1], [1, 0]])
    unified = build_unified_sequence(token_ids, lengths, cls_id=1, sep_id=2, pad_id=0)
    flat_ids = unified.modality_ids.reshape(-1)
    assert unified.on_host() is unified and unified.to(torch.device("cpu")) is unified
    assert unified.token_index().tolist() == [i for i, m in enumerate(flat_ids.tolist()) if m >= 0]
    assert [ix.tolist() for ix in unified.modality_index()] == [
        [i for i, m in enumerate(flat_ids.tolist()) if m == k] for k in range(2)]
    assert unified.tokens_per_sample() == [4, 1]
    values = torch.arange(unified.input_ids.numel(), dtype=torch.float).view(unified.input_ids.shape)
    back = unified.scatter_back(values)  # (batch, M, T): the value at each kept token's position, 0 elsewhere
    assert back.tolist() == [[[1.0, 2.0, 3.0], [5.0, 0.0, 0.0]], [[8.0, 0.0, 0.0], [0.0, 0.0, 0.0]]]
