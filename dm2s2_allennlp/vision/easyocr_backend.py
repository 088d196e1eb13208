"""The ``easyocr`` backend: OCR with EasyOCR (the DM2S2 paper's Table 1 compares OCR from the Cloud Vision API,
Tesseract and EasyOCR). It writes only ``textAnnotations`` -- the detected text as one block, then one entry per
detected text box, in reading order (top to bottom, left to right), boxes below ``min_confidence`` dropped -- so an
``easyocr/`` features directory serves as a reader's ``ocr_features_dir`` while labels, objects and faces keep coming
from the Cloud Vision responses (only the OCR source changes between Table 1's rows).

EasyOCR's detection and recognition weights are NOT downloaded here (nothing downloads at run time): fetch them where
you have internet (``easyocr.Reader(["en"])`` stores them in ``~/.EasyOCR/model``) and pass that directory as
``--easyocr-models``. The ``easyocr`` package is in the ``[vision]`` extra.
"""
import os
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from dm2s2_allennlp.vision.responses import bounding_poly


class EasyOcrBackend:
    name = "easyocr"
    reads_bytes = False

    def __init__(self, models: Optional[str] = None, languages: Sequence[str] = ("en",), min_confidence: float = 0.3,
                 reader: Any = None, **_ignored) -> None:
        from dm2s2_allennlp.vision.local_backend import MissingDependency

        self.min_confidence = min_confidence
        if reader is not None:  # an object with EasyOCR's `readtext` (tests)
            self.reader = reader
            return
        if not models or not os.path.isdir(models):
            raise MissingDependency(f"the easyocr backend needs EasyOCR's model files in a directory: --easyocr-models "
                                    f"{models!r} is not one (fetch them where there is internet: "
                                    "easyocr.Reader(['en']) stores them in ~/.EasyOCR/model)")
        try:
            import easyocr
        except ImportError as error:
            raise MissingDependency(f"the easyocr backend needs the easyocr package ({error}); install the vision "
                                    'extra: pip install -c constraints.txt -e ".[vision]"') from None
        try:
            self.reader = easyocr.Reader(list(languages), gpu=False, model_storage_directory=models,
                                         user_network_directory=models, download_enabled=False, verbose=False)
        except (FileNotFoundError, RuntimeError, ValueError) as error:
            raise MissingDependency(f"EasyOCR could not load its models from {models}: {error}") from None

    def annotate(self, image) -> Dict[str, Any]:
        detections = self.reader.readtext(np.asarray(image), detail=1, paragraph=False)
        return {"textAnnotations": text_annotations(detections, self.min_confidence)} if detections else {}


def text_annotations(detections: List[Any], min_confidence: float) -> List[Dict[str, Any]]:
    """EasyOCR's ``(box corners, text, confidence)`` detections -> Cloud Vision ``textAnnotations``."""
    boxes = []
    for corners, text, confidence in detections:
        if confidence < min_confidence or not str(text).strip():
            continue
        xs, ys = [float(p[0]) for p in corners], [float(p[1]) for p in corners]
        boxes.append(((min(ys), min(xs)), str(text).strip(), (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))))
    if not boxes:
        return []
    boxes.sort(key=lambda item: item[0])  # reading order
    x0 = min(b[2][0] for b in boxes)
    y0 = min(b[2][1] for b in boxes)
    x1 = max(b[2][0] + b[2][2] for b in boxes)
    y1 = max(b[2][1] + b[2][3] for b in boxes)
    full = {"description": " ".join(text for _, text, _ in boxes), "boundingPoly": bounding_poly((x0, y0, x1 - x0,
                                                                                                   y1 - y0))}
    return [full] + [{"description": text, "boundingPoly": bounding_poly(box)} for _, text, box in boxes]
