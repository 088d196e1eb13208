"""Pieces of a Cloud Vision ``AnnotateImageResponse`` (REST JSON, camelCase), as the local backend builds them."""
import math
from typing import Any, Dict, List, Sequence, Tuple

Box = Tuple[int, int, int, int]  # x, y, width, height in pixels


def bounding_poly(box: Box) -> Dict[str, Any]:
    x, y, w, h = (int(v) for v in box)
    return {"vertices": [{"x": x, "y": y}, {"x": x + w, "y": y}, {"x": x + w, "y": y + h}, {"x": x, "y": y + h}]}


def normalized_poly(box: Box, width: int, height: int) -> Dict[str, Any]:
    x, y, w, h = box
    corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    return {"normalizedVertices": [{"x": round(cx / width, 4), "y": round(cy / height, 4)} for cx, cy in corners]}


def logistic(value: float) -> float:
    """A detector's raw margin squashed to (0, 1): ordered like the margin, NOT a calibrated probability."""
    return 1.0 / (1.0 + math.exp(-float(value)))


def overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    union = aw * ah + bw * bh - inter
    return inter / union if union else 0.0


def suppress(detections: Sequence[Tuple[str, float, Box]], iou: float = 0.3) -> List[Tuple[str, float, Box]]:
    """Non-maximum suppression per name: keep the best-scored box, drop same-named boxes overlapping it."""
    kept: List[Tuple[str, float, Box]] = []
    for name, score, box in sorted(detections, key=lambda d: -d[1]):
        if all(other_name != name or overlap(box, other_box) < iou for other_name, _, other_box in kept):
            kept.append((name, score, box))
    return kept
