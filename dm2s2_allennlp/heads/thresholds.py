"""Per-class decision thresholds for multi-label prediction, tuned on held-out data.

For every class k, the threshold t_k maximises that class's F1 on the given records when a record is predicted to
have k iff its probability p_k >= t_k. Candidate thresholds sit between consecutive distinct scores (the midpoint),
so the records above a threshold are exactly those predicted and ties are never split. A class with no positive
record keeps ``default`` (nothing to learn from); among equally good thresholds the one closest to ``default`` wins.
Maximising every class's own F1 maximises macro-F1 exactly and, in practice, helps micro-F1 too: a rare class whose
probabilities never reach 0.5 gets a threshold it can cross.
"""
import torch


def tune_thresholds(probs: torch.Tensor, gold: torch.Tensor, default: float = 0.5) -> torch.Tensor:
    """``probs``, ``gold``: ``(n, K)``; returns ``(K,)`` thresholds (float32)."""
    probs, gold = probs.detach().double().cpu(), gold.detach().bool().cpu()
    thresholds = torch.full((probs.size(1),), float(default), dtype=torch.float64)
    for k in range(probs.size(1)):
        positives = int(gold[:, k].sum())
        if positives == 0 or probs.size(0) == 0:
            continue
        scores, order = probs[:, k].sort(descending=True, stable=True)
        tp = torch.cumsum(gold[order, k].double(), 0)
        predicted = torch.arange(1, len(scores) + 1, dtype=torch.float64)
        f1 = 2 * tp / (predicted + positives)
        boundary = torch.ones_like(gold[:, k])
        boundary[:-1] = scores[1:] != scores[:-1]  # a cut may only follow the last of a group of equal scores
        below = torch.cat([scores[1:], scores[-1:] - 1e-6])
        candidates = ((scores + below) / 2)[boundary]
        f1 = f1[boundary]
        best = f1.max()
        if best <= 0:
            continue
        tied = candidates[f1 >= best - 1e-12]
        thresholds[k] = tied[(tied - default).abs().argmin()]
    return thresholds.float()
