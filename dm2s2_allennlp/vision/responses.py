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


def suppress(detections: Sequence[Tuple[str, float, Box]], iou: float = 0.3) -> List[Tuple[str, float, Box]]:
    """Non-maximum suppression per name (torchvision's ``batched_nms``): the best-scored box is kept and every
    same-named box overlapping it by an intersection over union above ``iou`` is dropped; most confident first."""
    import torch
    from torchvision.ops import batched_nms

    if not detections:
        return []
    names = {name: k for k, name in enumerate(dict.fromkeys(name for name, _, _ in detections))}
    boxes = torch.tensor([[x, y, x + w, y + h] for _, _, (x, y, w, h) in detections], dtype=torch.float64)
    scores = torch.tensor([score for _, score, _ in detections], dtype=torch.float64)
    groups = torch.tensor([names[name] for name, _, _ in detections])
    return [detections[int(k)] for k in batched_nms(boxes, scores, groups, iou)]
