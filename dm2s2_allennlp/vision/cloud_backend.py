"""The ``cloud-vision`` backend: the real Google Cloud Vision API (``google-cloud-vision``, part of the ``[vision]``
extra), with the user's credentials (``GOOGLE_APPLICATION_CREDENTIALS`` or any other way the Google client finds
them). One ``AnnotateImageRequest`` per image asks for what DM2S2 uses (Section IV-B): TEXT_DETECTION (OCR),
LABEL_DETECTION, OBJECT_LOCALIZATION, FACE_DETECTION and SAFE_SEARCH_DETECTION, each switchable. The response is
written as the API's REST JSON (camelCase, enum names), exactly what the readers read; a response carrying an
``error`` is a failed image (reported and counted, nothing written).
"""
import json
from typing import Any, Dict, Optional

FEATURES = {"ocr": "TEXT_DETECTION", "labels": "LABEL_DETECTION", "objects": "OBJECT_LOCALIZATION",
            "faces": "FACE_DETECTION", "safe_search": "SAFE_SEARCH_DETECTION"}


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        cleaned = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in ({}, [], None, "")}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


class CloudVisionBackend:
    name = "cloud-vision"
    reads_bytes = True

    def __init__(self, client: Optional[Any] = None, ocr: bool = True, faces: bool = True, labels: bool = True,
                 objects: bool = True, safe_search: bool = True, max_results: int = 10, **_ignored) -> None:
        try:
            from google.cloud import vision
        except ImportError as error:
            from dm2s2_allennlp.vision.local_backend import MissingDependency

            raise MissingDependency(f"the cloud-vision backend needs google-cloud-vision ({error}); install the "
                                    'vision extra: pip install -c constraints.txt -e ".[vision]"') from None
        self.vision = vision
        switches = {"ocr": ocr, "faces": faces, "labels": labels, "objects": objects, "safe_search": safe_search}
        self.features = [vision.Feature(type_=getattr(vision.Feature.Type, FEATURES[name]), max_results=max_results)
                         for name, on in switches.items() if on]
        self.client = client if client is not None else vision.ImageAnnotatorClient()

    def annotate_bytes(self, content: bytes) -> Dict[str, Any]:
        request = self.vision.AnnotateImageRequest(image=self.vision.Image(content=content), features=self.features)
        response = self.client.batch_annotate_images(requests=[request]).responses[0]
        if response.error.message:
            raise RuntimeError(f"Cloud Vision error {response.error.code}: {response.error.message}")
        text = self.vision.AnnotateImageResponse.to_json(response, use_integers_for_enums=False,
                                                           preserving_proto_field_name=False)
        return _drop_empty(json.loads(text))
