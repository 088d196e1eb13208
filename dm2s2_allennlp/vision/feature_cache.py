"""The visual-feature cache of image columns: one Cloud-Vision-shaped ``AnnotateImageResponse`` per image, keyed by
the image's CONTENT (the SHA-256 of its bytes) and by the backend's SETTINGS, so an image is extracted once however
many tables, runs, ``evaluate``/``predict`` calls or Python sessions name it, under whatever path, and a change of
backend or of one of its options is a different cache, never a stale answer.

Layout: ``DIRECTORY/<settings key>/settings.json`` (the backend and its options, for people) and
``DIRECTORY/<settings key>/<first two hex digits>/<sha256>.json`` (the response). ``DIRECTORY`` is ``cache_dir``, or
``$DM2S2_CACHE_DIR/visual_features``, or ``~/.cache/dm2s2_allennlp/visual_features``. Each file is written under a
temporary name and renamed, so a killed extraction leaves only whole files and the next one resumes where it
stopped. A file that is not a decodable image is kept as the API's failed-image shape (``{"error": {...}}``, which
the reader reads as missing features), so it is not decoded again; a backend that fails on an image (a crashed
Tesseract) is not kept, and is tried again next time.
"""
import hashlib
import json
import logging
import os
from typing import Any, Dict, Iterable, Optional

from dm2s2_allennlp.checksums import sha256_of_file
from dm2s2_allennlp.vision.extract import make_backend, run_jobs, write_json

logger = logging.getLogger(__name__)

FORMAT = 1  # bump when what a backend writes for the same settings changes


def default_directory() -> str:
    base = os.environ.get("DM2S2_CACHE_DIR")
    return os.path.join(base or os.path.join(os.path.expanduser("~"), ".cache", "dm2s2_allennlp"), "visual_features")


def content_key(path: str) -> str:
    """The SHA-256 of the file's bytes."""
    return sha256_of_file(path)


def settings_key(backend: str, options: Dict[str, Any]) -> str:
    text = json.dumps({"backend": backend, "options": options, "format": FORMAT}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class FeatureCache:
    """Responses of one backend with one set of options, by image content (module docstring)."""

    def __init__(self, backend: str = "local", options: Optional[Dict[str, Any]] = None,
                 directory: Optional[str] = None) -> None:
        self.backend, self.options = backend, dict(options or {})
        self.folder = os.path.join(directory or default_directory(), settings_key(backend, self.options))
        self._instance = None  # the backend, built at the first image this process extracts itself

    def path(self, key: str) -> str:
        return os.path.join(self.folder, key[:2], f"{key}.json")

    def get(self, key: str) -> Optional[Dict[str, Any]]:
        """The cached response of the image with content ``key``, or ``None`` (not extracted yet, or a file cut by a
        crash of the disk rather than of the process: it is extracted again)."""
        try:
            with open(self.path(key), encoding="utf-8") as handle:
                response = json.load(handle)
        except (OSError, ValueError):
            return None
        return response if isinstance(response, dict) else None

    def fill(self, images: Dict[str, str], workers: int = 1, progress: bool = True) -> Dict[str, Any]:
        """Extract every image of ``images`` (``{content key: a path with that content}``) that the cache does not
        hold yet. Returns ``{"images", "cached", "extracted", "failed", "failures": {path: reason}}``."""
        todo = {key: path for key, path in images.items() if self.get(key) is None}
        results = []
        if todo:
            os.makedirs(self.folder, exist_ok=True)
            write_json(os.path.join(self.folder, "settings.json"), {"backend": self.backend, "options": self.options,
                                                                     "format": FORMAT})
            for key in todo:
                os.makedirs(os.path.dirname(self.path(key)), exist_ok=True)
            if self._instance is None:  # here first, so a missing tool is one error before any worker starts
                from allennlp.common.checks import ConfigurationError

                from dm2s2_allennlp.vision.local_backend import MissingDependency

                try:
                    self._instance = make_backend(self.backend, self.options)
                except MissingDependency as error:
                    raise ConfigurationError(f"image columns: {error}") from None
            results = run_jobs([(path, self.path(key)) for key, path in todo.items()], self.backend, self.options,
                               workers, progress, keep_undecodable=True, instance=self._instance)
        failures = {path: reason for path, reason in results if reason is not None}
        for key, path in todo.items():
            if path in failures and self.get(key) is None:  # a backend's failure (undecodable files are kept)
                logger.warning("%s: the %s backend failed on it: %s", path, self.backend, failures[path])
        return {"images": len(images), "cached": len(images) - len(todo), "extracted": len(todo) - len(failures),
                "failed": len(failures), "failures": failures}

    def keys(self) -> Iterable[str]:
        """The content keys the cache holds (for tests and people)."""
        if not os.path.isdir(self.folder):
            return []
        return sorted(name[:-5] for sub in os.listdir(self.folder) if os.path.isdir(os.path.join(self.folder, sub))
                      for name in os.listdir(os.path.join(self.folder, sub)) if name.endswith(".json"))
