"""Metrics that are undefined on the data seen -- an AUC when only one class occurs, R@P95 without a positive --
come out as NaN; ``defined_only`` leaves them out with one warning per metric name, so no NaN or infinity reaches a
metrics file."""
import logging
import math
from typing import Dict, Set

logger = logging.getLogger(__name__)


def defined_only(metrics: Dict[str, float], warned: Set[str]) -> Dict[str, float]:
    kept = {}
    for name, value in metrics.items():
        if math.isfinite(value):
            kept[name] = value
        elif name not in warned:
            warned.add(name)
            logger.warning("metric %r is undefined on this data (e.g. an AUC when only one class occurs) and is left "
                           "out", name)
    return kept
