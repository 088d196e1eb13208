"""The statistics of how a text is written, counted by hand for one text."""
import math

import numpy as np

from dm2s2_allennlp.gbm.text_statistics import NAMES, SYMBOLS, statistics_of, text_statistics


def test_statistics_of_one_text_by_hand():
    text = "Big NEWS: see http://x.io!"  # 26 characters; words Big NEWS see http x io
    values = dict(zip(NAMES, statistics_of(text)))
    assert values["characters"] == 26 and values["words"] == 6
    assert values["mean_word_length"] == (3 + 4 + 3 + 4 + 1 + 2) / 6
    assert values["capital_share"] == 5 / 26  # B N E W S
    assert values["digit_share"] == 0.0
    assert values["symbol_share"] == 6 / 26  # : : / / . !
    assert values["capital_words"] == 1  # NEWS (a one-letter word does not count)
    assert values["link"] == 1.0
    assert values["count_!"] == 1 and values["count_:"] == 2 and values["count_/"] == 2 and values["count_?"] == 0
    assert len(NAMES) == 8 + len(SYMBOLS)


def test_a_missing_text_is_nan_and_records_are_rows_modality_after_modality():
    assert all(math.isnan(v) for v in statistics_of(None))
    rows = text_statistics([{"a": "x 1", "b": None}, {"a": "", "b": "Y"}], ["a", "b"])
    assert rows.shape == (2, 2 * len(NAMES))
    assert rows[0, 0] == 3 and rows[0, NAMES.index("digit_share")] == 1 / 3
    assert np.isnan(rows[0, len(NAMES):]).all()
    assert rows[1, 0] == 0 and rows[1, len(NAMES)] == 1 and rows[1, len(NAMES) + NAMES.index("capital_share")] == 1.0
