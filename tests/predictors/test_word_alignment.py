import pytest

from dm2s2_allennlp.predictors.word_alignment import merge_word_pieces


def test_wordpiece_bpe_and_sentencepiece():
    assert merge_word_pieces(["a", "document", "##ary", "film"], [0.1, 0.2, 0.3, 0.4]) == \
        [("a", 0.1), ("documentary", pytest.approx(0.5)), ("film", 0.4)]
    assert merge_word_pieces(["T", "oy", "ĠS", "tor", "y"], [0.1, 0.1, 0.2, 0.2, 0.4]) == \
        [("Toy", pytest.approx(0.2)), ("Story", pytest.approx(0.8))]
    assert merge_word_pieces(["▁東京", "の", "▁店"], [0.5, 0.25, 0.25]) == [("東京の", 0.75), ("店", 0.25)]
    assert merge_word_pieces([], []) == []
