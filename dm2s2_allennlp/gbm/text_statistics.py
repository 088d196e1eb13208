"""Statistics of a text that say how it is written rather than what it says -- its length, the share of capitals,
digits and symbols, all-capital words, a link, the count of each common symbol -- the kind AutoGluon Tabular derives
from a text column (its ``TextSpecialFeatureGenerator``). Words say what a text is about; these say who or what wrote
it (on the tweets set they alone lift one LightGBM from 0.670 to 0.839 accuracy: the Android tweets are written
differently, ``benchmarks/quality/tweets_text_statistics.py``), and an uncased encoder cannot see capitals at all.
"""
import re
from typing import Dict, List, Optional, Sequence

import numpy as np

SYMBOLS = '!?"\'@#$%&*.,-:;/()'
NAMES = ["characters", "words", "mean_word_length", "capital_share", "digit_share", "symbol_share",
         "capital_words", "link"] + [f"count_{s}" for s in SYMBOLS]
_WORD = re.compile(r"\w+")


def statistics_of(text: Optional[str]) -> List[float]:
    """``NAMES``' values for one text; all NaN for a missing one (LightGBM routes NaN as missing)."""
    if text is None:
        return [np.nan] * len(NAMES)
    words = _WORD.findall(text)
    n = max(1, len(text))
    return [float(len(text)), float(len(words)), float(np.mean([len(w) for w in words])) if words else 0.0,
            sum(c.isupper() for c in text) / n, sum(c.isdigit() for c in text) / n,
            sum(not c.isalnum() and not c.isspace() for c in text) / n,
            float(sum(w.isupper() and len(w) > 1 for w in words)), float("http" in text),
            *(float(text.count(s)) for s in SYMBOLS)]


def text_statistics(texts: Sequence[Dict[str, Optional[str]]], modalities: Sequence[str]) -> np.ndarray:
    """``(len(texts), len(modalities) * len(NAMES))``: each record's statistics, modality after modality."""
    return np.array([[value for name in modalities for value in statistics_of(record.get(name))] for record in texts],
                    dtype=np.float64).reshape(len(texts), len(modalities) * len(NAMES))
