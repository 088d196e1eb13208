"""Per-class decision thresholds for multi-label prediction, tuned on held-out data.

For every class k, the threshold t_k maximises that class's F1 on the given records when a record is predicted to
have k iff its probability p_k >= t_k. Candidate thresholds sit between consecutive distinct scores (the midpoint),
so the records above a threshold are exactly those predicted and ties are never split. A class with no positive
record keeps ``default`` (nothing to learn from); among equally good thresholds the one closest to ``default`` wins.
Maximising every class's own F1 maximises macro-F1 exactly and, in practice, helps micro-F1 too: a rare class whose
probabilities never reach 0.5 gets a threshold it can cross -- but not always: it lets a class with few, poorly
separated positives predict many records to win a little F1 of its own, which costs the pooled (micro) F1.

``objective="f1_micro"`` maximises the micro-F1 of all (record, class) decisions instead: starting from the per-class
thresholds, each class's threshold in turn is set to the cut that maximises micro-F1 with the other classes' held
fixed (including the cut above every score: the class is never predicted), for a few passes over the classes
(coordinate ascent; micro-F1 never decreases, and stops when a pass changes nothing).
"""
import torch


OBJECTIVES = ("f1_macro", "f1_micro")


def tune_thresholds(probs: torch.Tensor, gold: torch.Tensor, default: float = 0.5,
                    objective: str = "f1_macro", passes: int = 3) -> torch.Tensor:
    """``probs``, ``gold``: ``(n, K)``; returns ``(K,)`` thresholds (float32)."""
    if objective not in OBJECTIVES:
        raise ValueError(f"the thresholds' objective must be one of {OBJECTIVES}, got {objective!r}")
    probs, gold = probs.detach().double().cpu(), gold.detach().bool().cpu()
    thresholds = torch.full((probs.size(1),), float(default), dtype=torch.float64)
    for k in range(probs.size(1)):
        positives = int(gold[:, k].sum())
        if positives == 0 or probs.size(0) == 0:
            continue
        candidates, tp, predicted = _cuts(probs[:, k], gold[:, k])
        f1 = 2 * tp / (predicted + positives)
        best = f1.max()
        if best <= 0:
            continue
        tied = candidates[f1 >= best - 1e-12]
        thresholds[k] = tied[(tied - default).abs().argmin()]
    if objective == "f1_micro" and probs.size(0) > 0:
        for _ in range(passes):
            changed = False
            for k in range(probs.size(1)):
                cut = _micro_cut(probs, gold, thresholds, k)
                changed |= bool(cut != thresholds[k])
                thresholds[k] = cut
            if not changed:
                break
    return thresholds.float()


def _micro_cut(probs: torch.Tensor, gold: torch.Tensor, thresholds: torch.Tensor, k: int) -> torch.Tensor:
    """Class k's threshold that maximises micro-F1 with the other classes' thresholds fixed (the current one when
    nothing is strictly better)."""
    predicted_all = probs >= thresholds
    predicted_all[:, k] = False
    tp_others = float((predicted_all & gold).sum())
    predicted_others = float(predicted_all.sum())
    positives = float(gold.sum())
    candidates, tp, count = _cuts(probs[:, k], gold[:, k])
    candidates = torch.cat([candidates, probs[:, k].max().reshape(1) + 1e-6])  # the last: never predicted
    f1 = torch.cat([2 * (tp_others + tp) / (predicted_others + count + positives),
                    torch.tensor([2 * tp_others / max(predicted_others + positives, 1.0)], dtype=torch.float64)])
    current_pred = probs[:, k] >= thresholds[k]
    current = 2 * (tp_others + float((current_pred & gold[:, k]).sum())) / max(
        predicted_others + float(current_pred.sum()) + positives, 1.0)
    best = int(f1.argmax())
    return candidates[best] if f1[best] > current + 1e-12 else thresholds[k]


def _cuts(scores: torch.Tensor, gold: torch.Tensor):
    """One class's candidate thresholds (midpoints below each group of equal scores, highest first) with the true
    positives and the number of records predicted at each."""
    scores, order = scores.sort(descending=True, stable=True)
    tp = torch.cumsum(gold[order].double(), 0)
    predicted = torch.arange(1, len(scores) + 1, dtype=torch.float64)
    boundary = torch.ones_like(gold)
    boundary[:-1] = scores[1:] != scores[:-1]  # a cut may only follow the last of a group of equal scores
    below = torch.cat([scores[1:], scores[-1:] - 1e-6])
    return ((scores + below) / 2)[boundary], tp[boundary], predicted[boundary]
