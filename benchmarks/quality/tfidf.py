"""The peer a user tries first: scikit-learn TF-IDF (word 1-2-grams + character 2-5-grams) over each record written
as one text (``name: value | ...``), the numeric fields as standardised sign-log values with a missing indicator,
and a linear model -- logistic regression (one-vs-rest for multi-label, threshold 0.5) or ridge regression -- whose
regularisation is chosen on the validation split by the task's validation metric. Metrics come from the package's
own task heads, so every system is scored by the same code."""
import time
from typing import Dict, List, Sequence

import numpy as np
import torch
from allennlp.data import Vocabulary

from real_data import Spec, numeric_modalities, read, text_of

STRENGTHS = (0.25, 1.0, 4.0, 16.0, 64.0)  # C for logistic regression, 1/alpha for ridge


def numeric_block(records: Sequence[dict], names: Sequence[str], fitted=None):
    raw = np.array([[np.nan if r["modalities"].get(n) is None else float(r["modalities"][n]) for n in names]
                    for r in records], dtype=np.float64).reshape(len(records), len(names))
    logged = np.sign(raw) * np.log1p(np.abs(raw))
    if fitted is None:
        fitted = (np.nanmean(logged, 0), np.nanstd(logged, 0) + 1e-9)
    mean, std = fitted
    missing = np.isnan(logged)
    scaled = np.where(missing, 0.0, (logged - mean) / std)
    return np.hstack([scaled, missing.astype(np.float64)]), fitted


def head_for(spec: Spec, records: List[dict]):
    """The package's head for the task, over every label of ``records``: it scores the predictions."""
    from dm2s2_allennlp.heads import TaskHead

    vocab = Vocabulary()
    if spec.task != "regression":
        names = sorted({label for r in records for label in (r["label"] if spec.task == "multilabel" else [r["label"]])})
        vocab.add_tokens_to_namespace(names, "labels")
    return TaskHead.by_name(spec.task)(vocab).eval()


def targets_of(spec: Spec, head, records: List[dict]) -> np.ndarray:
    if spec.task == "regression":
        return np.array([r["label"] for r in records], dtype=np.float64)
    index = {name: i for i, name in enumerate(head.names)}
    if spec.task == "classification":
        return np.array([index[r["label"]] for r in records], dtype=np.int64)
    rows = np.zeros((len(records), len(index)), dtype=np.float32)
    for i, r in enumerate(records):
        rows[i, [index[label] for label in r["label"]]] = 1.0
    return rows


def run_tfidf(spec: Spec, paths: Dict[str, str], seed: int) -> Dict[str, float]:
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.multiclass import OneVsRestClassifier

    start = time.perf_counter()
    train, dev, test = read(paths["train"]), read(paths["dev"]), read(paths["test"])
    numeric = numeric_modalities(train, spec.modalities)
    texts = {split: [text_of(r, spec.modalities, skip=numeric) for r in records]
             for split, records in (("train", train), ("dev", dev), ("test", test))}
    vectorizers = [] if len(numeric) == len(spec.modalities) else [  # no text field: the numbers alone
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(texts["train"]),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                        max_features=200000).fit(texts["train"])]
    fitted = None
    matrices = {}
    for split, records in (("train", train), ("dev", dev), ("test", test)):
        block, fitted = numeric_block(records, numeric, fitted)
        matrices[split] = sparse.hstack([v.transform(texts[split]) for v in vectorizers] +
                                        [sparse.csr_matrix(block)]).tocsr()
    head = head_for(spec, train + dev + test)
    targets = {split: targets_of(spec, head, records) for split, records in
               (("train", train), ("dev", dev), ("test", test))}

    def model(strength):
        if spec.task == "regression":
            return Ridge(alpha=1.0 / strength)
        linear = LogisticRegression(C=strength, max_iter=3000, random_state=seed)
        return OneVsRestClassifier(linear) if spec.task == "multilabel" else linear

    def scores(fitted_model, x):
        if spec.task == "regression":
            return fitted_model.predict(x)
        probs = np.zeros((x.shape[0], head.num_outputs))
        columns = range(head.num_outputs) if spec.task == "multilabel" else fitted_model.classes_
        probs[:, list(columns)] = fitted_model.predict_proba(x)  # classes never seen in training: 0
        return probs

    def evaluate(values, split):
        head.update_metrics(torch.tensor(np.asarray(values), dtype=torch.float32), torch.tensor(targets[split]))
        return head.get_metrics(reset=True)

    sign, metric = (1 if spec.validation_metric[0] == "+" else -1), spec.validation_metric[1:]
    best = None
    for strength in STRENGTHS:
        candidate = model(strength).fit(matrices["train"], targets["train"])
        value = sign * evaluate(scores(candidate, matrices["dev"]), "dev")[metric]
        if best is None or value > best[0]:
            best = (value, strength, candidate)
    result = {f"test_{k}": v for k, v in evaluate(scores(best[2], matrices["test"]), "test").items()}
    result["strength"] = best[1]
    result["train_seconds"] = round(time.perf_counter() - start, 2)
    return result

