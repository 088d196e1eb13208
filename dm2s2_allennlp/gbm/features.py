"""Features of a record for gradient-boosted trees (the LightGBM baseline of DM2S2 Table 4, and the LightGBM a DM2S2
head can blend with), from the reader's rendered modality texts (``metadata["modality_texts"]``):

  * a NUMERIC modality -- one whose every present value in the training data is a number by the reader's rule
    (``multimodal_reader.number_of``, the rule the network's numeric features use: year, length, budget, a face
    count, a Lighthouse score) -- is one column holding that number (missing = NaN, which LightGBM
    routes on its own);
  * every other modality is a hashed bag of words (``n_features`` buckets per modality, counts, lower-cased words),
    so the same word in two modalities is two different features. Words are ``\\w+`` runs, except in text with
    Japanese script, which has no spaces between words: it is segmented by MeCab (``fugashi`` with the
    ``unidic-lite`` dictionary, what the Ad-LP encoder's tokenizer uses), so an ad title is its words and not one
    token -- "the same input features" DM2S2 Table 4's LightGBM had;
  * with ``text_statistics`` (the recipe's blend; not the Table 4 baseline) every non-numeric modality also gets the
    statistics of how it is written (``gbm.text_statistics``: length, capitals, digits, symbols, ...).
"""
import logging
import re
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from dm2s2_allennlp.dataset_readers.multimodal_reader import number_of
from dm2s2_allennlp.gbm.text_statistics import text_statistics as statistics_of_texts

logger = logging.getLogger(__name__)


JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
WORD = re.compile(r"\w+")
_TAGGER = []


def words(text: str) -> List[str]:
    """Lower-cased words of ``text``: MeCab's segmentation where it has Japanese script, ``\\w+`` runs elsewhere."""
    if JAPANESE.search(text):
        if not _TAGGER:
            import fugashi

            _TAGGER.append(fugashi.Tagger())
        return [w.surface.lower() for w in _TAGGER[0](text) if WORD.search(w.surface)]
    return WORD.findall(text.lower())


class RecordFeatures:
    """Hashed bag of words per text modality + the numeric modalities as numbers (+ the text modalities'
    statistics with ``text_statistics``) (module docstring)."""

    def __init__(self, modalities: Sequence[str], n_features: int = 4096, text_statistics: bool = False) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.modalities = list(modalities)
        self.n_features = n_features
        self.text_statistics = text_statistics
        self.numeric: List[str] = []
        self.vectorizer = HashingVectorizer(n_features=n_features, alternate_sign=False, norm=None,
                                            analyzer=words)

    def fit(self, texts: Sequence[Dict[str, Optional[str]]]) -> "RecordFeatures":
        self.numeric = []
        for name in self.modalities:
            values = [t.get(name) for t in texts if t.get(name) is not None]
            if values and all(number_of(v) is not None for v in values):
                self.numeric.append(name)
        logger.info("LightGBM features: numeric %s, hashed bag of words %s", self.numeric,
                    [m for m in self.modalities if m not in self.numeric])
        return self

    @property
    def statistics_start(self) -> int:
        """The number of columns before the text statistics: the matrix without them is ``x[:, :statistics_start]``
        (hashed words, then the numbers)."""
        return self.n_features * (len(self.modalities) - len(self.numeric)) + len(self.numeric)

    def transform(self, texts: Sequence[Dict[str, Optional[str]]]):
        from scipy import sparse

        texts = list(texts)
        words_of = [name for name in self.modalities if name not in self.numeric]
        blocks = [self.vectorizer.transform([t.get(name) or "" for t in texts]) for name in words_of]
        if self.numeric:
            numbers = np.array([[number_of(t.get(name)) if t.get(name) is not None else np.nan for name in self.numeric]
                                for t in texts], dtype=np.float64)
            blocks.append(sparse.csr_matrix(numbers))  # NaN stays an explicit entry: LightGBM reads it as missing
        if self.text_statistics and words_of:  # NaN where the modality is missing, as the numbers'
            blocks.append(sparse.csr_matrix(statistics_of_texts(texts, words_of)))
        return sparse.hstack(blocks).tocsr().astype(np.float32)

    def to_state(self) -> Dict[str, Any]:
        """What rebuilds these features (plain values: archives stay loadable with ``weights_only``)."""
        return {"modalities": self.modalities, "numeric": self.numeric, "n_features": self.n_features,
                "text_statistics": self.text_statistics}

    @classmethod
    def from_state(cls, state: Dict[str, Any]) -> "RecordFeatures":
        features = cls(state["modalities"], state["n_features"], state.get("text_statistics", False))  # 0.7: none
        features.numeric = list(state["numeric"])
        return features
