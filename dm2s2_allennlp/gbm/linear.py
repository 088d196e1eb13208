"""A linear model of a record's rendered modalities, the second partner of the recipe's blend
(``heads.lightgbm_blend``): what a TF-IDF + logistic regression baseline sees, which trees on hashed words do not --
character n-grams (parts of a company's name, an artist's initials) and every word's weight at once.

Features (scikit-learn's ``TfidfVectorizer``, sublinear term frequencies): word 1-2-grams and character 2-5-grams
(within words, at most 200,000) of the record written as one text, ``name: value | name: value`` over its non-numeric
modalities, each seen in at least two training records; each numeric modality (``RecordFeatures``' rule) as a
standardised sign-log value with a missing indicator. Model: logistic regression (a binary one per label for
multi-label; a label every training record has or none has keeps its training rate) or ridge regression, whose
regularisation ``C`` (``1/alpha``) in ``STRENGTHS`` gives the validation records the lowest proper loss.

Its state is plain values and tensors (vocabularies, idf, coefficients), so an archive carries it and loads with
``weights_only``; ``predict`` of a rebuilt model gives the fitted one's numbers.
"""
import logging
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch

from dm2s2_allennlp.dataset_readers.multimodal_reader import number_of

logger = logging.getLogger(__name__)
STRENGTHS = (0.25, 1.0, 4.0, 16.0, 64.0)
Texts = Sequence[Dict[str, Optional[str]]]
VECTORIZERS = ({"ngram_range": (1, 2)}, {"analyzer": "char_wb", "ngram_range": (2, 5), "max_features": 200000})


def _vectorizer(options: Dict[str, Any], vocabulary=None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(min_df=2, sublinear_tf=True, vocabulary=vocabulary, **options)


def record_losses(task: str, scores: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """Each record's proper scoring loss: squared error, binary cross-entropy (mean over the labels) or
    cross-entropy."""
    scores = np.asarray(scores, dtype=np.float64)
    if task == "regression":
        return (scores.reshape(-1) - gold) ** 2
    p = np.clip(scores, 1e-7, 1 - 1e-7)
    if task == "multilabel":
        return -np.mean(gold * np.log(p) + (1 - gold) * np.log(1 - p), axis=1)
    return -np.log(p[np.arange(len(gold)), gold])


def proper_loss(task: str, scores: np.ndarray, gold: np.ndarray) -> float:
    """The mean of ``record_losses``: what the strength is chosen by."""
    return float(np.mean(record_losses(task, scores, gold)))


class LinearModel:
    """Fit with ``fit``; ``predict`` gives probabilities ``(n, K)`` or values ``(n,)`` (module docstring)."""

    def __init__(self, task: str, numeric: Sequence[str] = ()) -> None:
        self.task, self.numeric = task, list(numeric)
        self.vectorizers: List[Any] = []
        self.mean = self.std = np.zeros(0)
        self.coef = torch.zeros(0)  # (outputs, features)
        self.intercept = torch.zeros(0)
        self.strength = 0.0

    # -- features ------------------------------------------------------------------------------------------------
    def joined(self, texts: Texts) -> List[str]:
        return [" | ".join(f"{k}: {v}" for k, v in t.items() if v is not None and k not in self.numeric)
                for t in texts]

    def _logged(self, texts: Texts) -> np.ndarray:
        raw = np.array([[np.nan if t.get(k) is None else number_of(t[k]) for k in self.numeric] for t in texts],
                       dtype=np.float64).reshape(len(texts), len(self.numeric))
        return np.sign(raw) * np.log1p(np.abs(raw))

    def matrix(self, texts: Texts):
        from scipy import sparse

        texts = list(texts)
        values = self._logged(texts)
        missing = np.isnan(values)
        block = np.hstack([np.where(missing, 0.0, (values - self.mean) / self.std), missing])
        joined = self.joined(texts)
        blocks = [v.transform(joined) for v in self.vectorizers] + [sparse.csr_matrix(block)]
        if not self.vectorizers and not self.numeric:  # nothing to see: one zero column, the model is its intercept
            blocks.append(sparse.csr_matrix((len(texts), 1)))
        return sparse.hstack(blocks).tocsr()

    # -- fitting ---------------------------------------------------------------------------------------------------
    def fit(self, train_texts: Texts, train_y: np.ndarray, valid_texts: Texts, valid_y: np.ndarray,
            num_outputs: int, seed: int = 13) -> "LinearModel":
        logged = self._logged(train_texts)
        with np.errstate(all="ignore"):
            mean, std = np.nanmean(logged, 0), np.nanstd(logged, 0)
        self.mean, self.std = np.nan_to_num(mean), np.nan_to_num(std) + 1e-9
        joined = self.joined(train_texts)
        self.vectorizers = [v for v in (_vectorizer(o) for o in VECTORIZERS) if _fits(v, joined)]
        x_train, x_valid = self.matrix(train_texts), self.matrix(valid_texts)
        best = None
        for strength in STRENGTHS:
            coef, intercept = self._fit_one(strength, x_train, train_y, num_outputs, seed)
            loss = proper_loss(self.task, self._predict(x_valid, coef, intercept), valid_y)
            if best is None or loss < best[0]:
                best = (loss, strength, coef, intercept)
        _, self.strength, coef, intercept = best
        self.coef, self.intercept = torch.as_tensor(coef, dtype=torch.float64), torch.as_tensor(intercept,
                                                                                              dtype=torch.float64)
        logger.info("linear partner: C = %s, validation loss %.4f", self.strength, best[0])
        return self

    def _fit_one(self, strength: float, x, y: np.ndarray, num_outputs: int, seed: int):
        """Coefficients ``(outputs, features)`` and intercepts as logits (classification) or values."""
        from sklearn.linear_model import LogisticRegression, Ridge

        if self.task == "regression":
            ridge = Ridge(alpha=1.0 / strength).fit(x, y)
            return ridge.coef_.reshape(1, -1), np.atleast_1d(ridge.intercept_)
        columns = [y[:, k] for k in range(num_outputs)] if self.task == "multilabel" else [y]
        coef, intercept = np.zeros((0, x.shape[1])), np.zeros(0)
        for target in columns:
            classes = np.unique(target)
            if len(classes) < 2:  # a label every training record has, or none: its training rate, constant
                rate = np.clip(float(np.mean(target)), 1e-4, 1 - 1e-4) if self.task == "multilabel" else 1.0
                coef = np.vstack([coef, np.zeros((1, x.shape[1]))])
                intercept = np.append(intercept, np.log(rate / (1 - rate)) if self.task == "multilabel" else 0.0)
                continue
            model = LogisticRegression(C=strength, max_iter=3000, random_state=seed).fit(x, target)
            if self.task == "multilabel" or num_outputs == 2:
                coef, intercept = np.vstack([coef, model.coef_]), np.append(intercept, model.intercept_)
            else:  # classes never seen in training get no row: a logit of -inf
                coef, intercept = np.zeros((num_outputs, x.shape[1])), np.full(num_outputs, -np.inf)
                if len(model.classes_) == 2:  # a binary model of two seen classes: softmax(0, z) = sigmoid(z)
                    coef[model.classes_[1]], intercept[model.classes_] = model.coef_[0], (0.0, model.intercept_[0])
                else:
                    coef[model.classes_], intercept[model.classes_] = model.coef_, model.intercept_
        return coef, intercept

    # -- prediction ------------------------------------------------------------------------------------------------
    def _predict(self, x, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
        logits = np.asarray(x @ coef.T) + intercept
        if self.task == "regression":
            return logits[:, 0]
        if self.task == "multilabel" or coef.shape[0] == 1:
            probs = 1.0 / (1.0 + np.exp(-logits))
            return np.hstack([1 - probs, probs]) if self.task == "classification" else probs
        logits = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, texts: Texts) -> np.ndarray:
        return self._predict(self.matrix(texts), self.coef.numpy(), self.intercept.numpy())

    # -- state -------------------------------------------------------------------------------------------------------
    def to_state(self) -> Dict[str, Any]:
        return {"task": self.task, "numeric": self.numeric, "mean": torch.as_tensor(self.mean),
                "std": torch.as_tensor(self.std), "strength": self.strength, "coef": self.coef,
                "intercept": self.intercept,
                "vectorizers": [{"vocabulary": {term: int(i) for term, i in v.vocabulary_.items()},
                                 "idf": torch.as_tensor(v.idf_), "options": 0 if v.analyzer == "word" else 1}
                                for v in self.vectorizers]}  # options: which of VECTORIZERS

    @classmethod
    def from_state(cls, state: Dict[str, Any]) -> "LinearModel":
        model = cls(state["task"], state["numeric"])
        model.mean, model.std = state["mean"].numpy(), state["std"].numpy()
        model.strength, model.coef, model.intercept = state["strength"], state["coef"], state["intercept"]
        for saved in state["vectorizers"]:
            vectorizer = _vectorizer(VECTORIZERS[saved["options"]], saved["vocabulary"])
            vectorizer.idf_ = saved["idf"].numpy()
            model.vectorizers.append(vectorizer)
        return model


def _fits(vectorizer, texts: List[str]) -> bool:
    """Fit ``vectorizer``; false when no term is in two training records (tiny or number-only data)."""
    try:
        vectorizer.fit(texts)
        return True
    except ValueError:
        return False
