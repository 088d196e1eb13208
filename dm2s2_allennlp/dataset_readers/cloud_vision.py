"""Cloud-Vision-shaped image features -> modality values (what DM2S2 makes of an image, Section IV-B).

A features source is either a DIRECTORY with one Google Cloud Vision ``AnnotateImageResponse`` per image, named by
the image id (``<id>.json`` or ``<id>.json.gz``; ``<image file name>.json`` is accepted too), or ONE JSONL file
(optionally ``.gz``) whose lines carry the id (``id``, ``image_id`` or ``imageId``) and the response (under
``response`` or as the rest of the line). A batch wrapper ``{"responses": [response]}`` is unwrapped. Both REST
camelCase keys (``textAnnotations``) and protobuf snake_case keys (``text_annotations``) are read.

The tokens (``visual_values``):
  * ``ocr_text``: ``textAnnotations[0].description`` (the full detected text), else ``fullTextAnnotation.text``;
    newlines become spaces;
  * ``num_faces``: ``len(faceAnnotations)``; a response without faces has 0 faces (the API omits empty lists);
  * ``labels``: ``labelAnnotations[*].description`` in the API's (confidence) order;
  * ``objects``: ``localizedObjectAnnotations[*].name`` in the API's (confidence) order;
  * ``safe_search``: five categorical tokens ``"adult very unlikely"`` ... for adult, spoof, medical, violence, racy;
    likelihoods as enum names (``VERY_UNLIKELY``) or ints 0-5.
An image with NO features file gives ``None`` for all of them: missing modalities, never an error. A response that
carries the API's ``error`` (the request failed for that image) is missing features too, counted separately -- never
a made-up face count of 0. A file that exists but cannot be read (corrupt JSON or gzip), or holds an object that is
not an ``AnnotateImageResponse`` (none of its keys), raises :class:`DataError` naming the file and the record, unless
``skip_unreadable`` is set, in which case it counts as missing and is counted in ``stats``.
"""
import gzip
import json
import os
import re
from collections import Counter
from typing import Any, Dict, List, Optional

from dm2s2_allennlp.dataset_readers.multimodal_reader import DataError

VISUAL_MODALITIES = ("ocr_text", "num_faces", "labels", "objects", "safe_search")
SAFE_SEARCH_CATEGORIES = ("adult", "spoof", "medical", "violence", "racy")
LIKELIHOODS = ["UNKNOWN", "VERY_UNLIKELY", "UNLIKELY", "POSSIBLE", "LIKELY", "VERY_LIKELY"]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _get(mapping: Dict[str, Any], camel: str) -> Any:
    if camel in mapping:
        return mapping[camel]
    return mapping.get(_snake(camel))


def _likelihood(value: Any) -> Optional[str]:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        name = LIKELIHOODS[value] if 0 <= value < len(LIKELIHOODS) else None
    else:
        name = str(value).strip().upper()
    return name.lower().replace("_", " ") if name else None


ANNOTATION_KEYS = ("textAnnotations", "fullTextAnnotation", "labelAnnotations", "localizedObjectAnnotations",
                   "faceAnnotations", "safeSearchAnnotation", "imagePropertiesAnnotation", "cropHintsAnnotation",
                   "webDetection", "landmarkAnnotations", "logoAnnotations", "context")


def unwrap(response: Dict[str, Any]) -> Dict[str, Any]:
    """The response itself, out of a batch wrapper ``{"responses": [response]}``."""
    if isinstance(response.get("responses"), list) and response["responses"]:
        return response["responses"][0]
    return response


def kind_of(response: Dict[str, Any]) -> str:
    """``error`` (the API failed for the image), ``response`` (annotations, or none found: ``{}``), or ``unknown``
    (an object with none of an AnnotateImageResponse's keys)."""
    response = unwrap(response)
    if "error" in response:
        return "error"
    known = set(ANNOTATION_KEYS) | {_snake(key) for key in ANNOTATION_KEYS}
    return "response" if not response or known & set(response) else "unknown"


def visual_values(response: Dict[str, Any]) -> Dict[str, Any]:
    """Modality values of one ``AnnotateImageResponse`` (see module docstring)."""
    response = unwrap(response)
    texts = _get(response, "textAnnotations") or []
    ocr = texts[0].get("description") if texts and isinstance(texts[0], dict) else None
    if not ocr:
        ocr = (_get(response, "fullTextAnnotation") or {}).get("text")
    ocr = " ".join(ocr.split()) if ocr else None
    labels = [a.get("description") for a in _get(response, "labelAnnotations") or [] if a.get("description")]
    objects = [a.get("name") for a in _get(response, "localizedObjectAnnotations") or [] if a.get("name")]
    safe = _get(response, "safeSearchAnnotation") or {}
    safe_tokens = []
    for category in SAFE_SEARCH_CATEGORIES:
        likelihood = _likelihood(safe.get(category))
        if likelihood:
            safe_tokens.append(f"{category} {likelihood}")
    return {
        "ocr_text": ocr,
        "num_faces": len(_get(response, "faceAnnotations") or []),
        "labels": labels or None,
        "objects": objects or None,
        "safe_search": safe_tokens or None,
    }


def _open(path: str):
    return gzip.open(path, "rt", encoding="utf-8") if path.endswith(".gz") else open(path, encoding="utf-8")


class ImageFeatures:
    """The visual modalities of an image from ``features_dir``, with ``ocr_text`` from ``ocr_features_dir`` instead
    when that is given (DM2S2 Table 1 changes only the OCR source between its rows: Cloud Vision, Tesseract,
    EasyOCR); ``stats`` counts both sources (the OCR source's counts prefixed ``ocr:``)."""

    def __init__(self, features_dir: Optional[str], ocr_features_dir: Optional[str] = None,
                 skip_unreadable: bool = False) -> None:
        self.visual = VisualFeatures(features_dir, skip_unreadable)
        self.ocr = VisualFeatures(ocr_features_dir, skip_unreadable) if ocr_features_dir else None

    def lookup(self, image_id: str, record: str) -> Dict[str, Any]:
        values = self.visual.lookup(image_id, record)
        if self.ocr is not None:
            values["ocr_text"] = self.ocr.lookup(image_id, record)["ocr_text"]
        return values

    @property
    def stats(self) -> Counter:
        counts = Counter(self.visual.stats)
        if self.ocr is not None:
            counts.update({f"ocr: {name}": n for name, n in self.ocr.stats.items()})
        return counts


class VisualFeatures:
    """Looks up the Cloud-Vision features of an image id in a directory or a JSONL file (module docstring)."""

    def __init__(self, source: Optional[str], skip_unreadable: bool = False) -> None:
        self.source = source
        self.skip_unreadable = skip_unreadable
        self.stats: Counter = Counter()
        self._by_id: Optional[Dict[str, Dict[str, Any]]] = None
        if source and not os.path.exists(source):
            raise DataError(source, None, "features path does not exist")
        if source and os.path.isfile(source):
            self._by_id = self._read_jsonl(source)

    def _read_jsonl(self, path: str) -> Dict[str, Dict[str, Any]]:
        by_id: Dict[str, Dict[str, Any]] = {}
        with _open(path) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise DataError(f"{path}:{number}", None, f"malformed JSON ({error.msg})") from None
                key = next((record[k] for k in ("id", "image_id", "imageId") if k in record), None)
                if key is None:
                    raise DataError(f"{path}:{number}", "id", "a features line needs `id` (or `image_id`)")
                response = record.get("response")
                if response is None:
                    response = {k: v for k, v in record.items() if k not in ("id", "image_id", "imageId")}
                by_id[str(key).strip()] = response
        return by_id

    def _candidates(self, image_id: str) -> List[str]:
        stem = os.path.splitext(image_id)[0]
        names = []
        for base in dict.fromkeys([image_id, stem]):
            names += [f"{base}.json", f"{base}.json.gz"]
        return [os.path.join(self.source, name) for name in names]

    def lookup(self, image_id: str, record: str) -> Dict[str, Any]:
        """Modality values for ``image_id`` (all ``None`` when the image has no features)."""
        missing = {name: None for name in VISUAL_MODALITIES}
        if not self.source:
            return missing
        if self._by_id is not None:
            response = self._by_id.get(image_id) or self._by_id.get(os.path.splitext(image_id)[0])
            if response is None:
                self.stats["no features"] += 1
                return missing
            return self._values(response, f"{self.source} (id {image_id})", record)
        for path in self._candidates(image_id):
            if os.path.exists(path):
                try:
                    with _open(path) as handle:
                        response = json.load(handle)
                    if not isinstance(response, dict):
                        raise ValueError(f"expected a JSON object, got {type(response).__name__}")
                except (OSError, ValueError, EOFError) as error:
                    if not self.skip_unreadable:
                        raise DataError(path, None, f"unreadable features file for record {record!r}: {error}") \
                            from None
                    self.stats["unreadable features (treated as missing)"] += 1
                    return missing
                return self._values(response, path, record)
        self.stats["no features"] += 1
        return missing

    def _values(self, response: Dict[str, Any], path: str, record: str) -> Dict[str, Any]:
        kind = kind_of(response) if isinstance(response, dict) else "unknown"
        if kind == "error":
            self.stats["features with an API error (treated as missing)"] += 1
            return {name: None for name in VISUAL_MODALITIES}
        if kind == "unknown":
            keys = sorted(response)[:10] if isinstance(response, dict) else type(response).__name__
            if not self.skip_unreadable:
                raise DataError(path, None, f"not a Cloud Vision AnnotateImageResponse (keys {keys}) for record "
                                            f"{record!r}")
            self.stats["features of another schema (treated as missing)"] += 1
            return {name: None for name in VISUAL_MODALITIES}
        self.stats["with features"] += 1
        return visual_values(response)
