import random

import pytest
import torch

from dm2s2_allennlp.modules.truncation import fair_lengths, fair_lengths_tensor


def trim_longest_first(lengths, budget):
    """The rule as the docs state it, one token at a time: trim the currently longest modality (the later one among
    equals) until the total fits."""
    lengths = list(lengths)
    while sum(lengths) > budget:
        longest = max(lengths)
        victim = max(i for i, n in enumerate(lengths) if n == longest)
        lengths[victim] -= 1
    return lengths


def test_matches_one_at_a_time_trimming_on_random_cases():
    rng = random.Random(0)
    for _ in range(500):
        lengths = [rng.randint(0, 40) for _ in range(rng.randint(1, 7))]
        budget = rng.randint(0, 120)
        assert fair_lengths(lengths, budget) == trim_longest_first(lengths, budget), (lengths, budget)


def test_short_modalities_untouched_and_head_kept():
    # a 300-token plot next to a title and a face count: only the plot gives way
    assert fair_lengths([5, 300, 1], 100) == [5, 94, 1]
    # two long ones share the budget equally; the earlier one gets the odd token
    assert fair_lengths([50, 50, 2], 51) == [25, 24, 2]


def test_fits_unchanged_and_batched_never_exceeds_budget():
    assert fair_lengths([3, 0, 4], 7) == [3, 0, 4]
    lengths = torch.randint(0, 60, (64, 6))
    out = fair_lengths_tensor(lengths, 100)
    assert (out.sum(1) <= 100).all()
    assert (out <= lengths).all()
    fits = lengths.sum(1) <= 100
    assert torch.equal(out[fits], lengths[fits])
    for row_in, row_out in zip(lengths.tolist(), out.tolist()):
        assert row_out == trim_longest_first(row_in, 100)


def test_negative_budget_rejected():
    with pytest.raises(ValueError):
        fair_lengths([1], -1)
