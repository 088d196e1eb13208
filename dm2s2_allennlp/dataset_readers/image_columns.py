"""Image columns: a column of image paths read as the paper's visual modalities (DM2S2 Section IV-B: an image becomes
token sequences -- its OCR text, its labels, its objects, its number of faces -- for the one encoder).

A column ``poster`` of image paths (relative to the data file's folder, or absolute) becomes the modalities
``poster_ocr_text``, ``poster_labels``, ``poster_objects`` and ``poster_num_faces`` (``ImageExtraction.parts``, in
that order, where the column stood), their values those of ``cloud_vision.visual_values`` for the image's
Cloud-Vision-shaped response. The response comes from

  * a backend (``local`` by default: Tesseract, EfficientNet-Lite0, OpenCV; ``easyocr``; ``cloud-vision``, the real
    API), run once per image in ``workers`` processes with a progress bar and kept in the content-keyed
    ``vision.feature_cache`` that every read reuses (training, ``evaluate``, ``predict``, the Python API); the
    backend is asked only for the parts used (``parts: ["ocr_text"]`` runs OCR alone); or
  * ``responses_dir``: Cloud Vision responses the user already has, one per image, named by the image's file name
    (``poster1.json`` or ``poster1.jpg.json``, ``cloud_vision.VisualFeatures``); nothing is extracted.

An empty cell is a missing image. A path to no file, a file that is not a decodable image (a text file, a truncated
JPEG) or an image the backend fails on leaves that record's visual modalities missing (never made up: no face count of
0 for an image nobody saw); each is counted and logged with the file, row and column (the first ten, then the
counts).

Detection (when the reader infers its modalities and ``image_columns`` is not stated): a column is an image column
when every present value is a path with an image file extension (``vision.extract.IMAGE_EXTENSIONS``) and at least one
of them is an existing file. (Not "every one exists": one missing file should count as a missing image, not turn the
column into text.) The columns found are logged and written into the run's config with the other inferred facts.
"""
import logging
import os
from collections import Counter
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from allennlp.common import FromParams
from allennlp.common.checks import ConfigurationError

from dm2s2_allennlp.dataset_readers.cloud_vision import VISUAL_MODALITIES, VisualFeatures, kind_of, visual_values
from dm2s2_allennlp.vision.extract import BACKENDS, IMAGE_EXTENSIONS

logger = logging.getLogger(__name__)

PARTS = ("ocr_text", "labels", "objects", "num_faces")  # what the local backend yields, in this order
SWITCHES = {"ocr_text": "ocr", "labels": "labels", "objects": "objects", "num_faces": "faces",
            "safe_search": "safe_search"}  # a part -> the backend option that turns its extractor on
LOGGED = 10  # problems logged one by one per file; the rest are counted


def looks_like_image_path(value: Any) -> bool:
    """A string that names a file with an image extension (``a/b.JPG``)."""
    if not isinstance(value, str) or "\n" in value or len(value) > 4096:
        return False
    return os.path.splitext(value.strip())[1].lower() in IMAGE_EXTENSIONS


def resolve(cell: str, folder: str) -> str:
    path = os.path.expanduser(cell.strip())
    return path if os.path.isabs(path) else os.path.join(folder, path)


class ImageExtraction(FromParams):
    """How image columns become modalities (module docstring). ``backend``: ``local`` | ``easyocr`` |
    ``cloud-vision``; ``options``: the backend's own (e.g. ``{"ocr_languages": "eng+jpn"}``); ``responses_dir``: use
    these Cloud Vision responses instead of a backend; ``parts``: the visual modalities per column (any of
    ``ocr_text``, ``labels``, ``objects``, ``num_faces``, ``safe_search``); ``workers``: extraction processes;
    ``cache_dir``: the cache (default ``$DM2S2_CACHE_DIR/visual_features``); ``progress``: show the bar."""

    def __init__(self, backend: str = "local", options: Optional[Dict[str, Any]] = None,
                 responses_dir: Optional[str] = None, parts: Sequence[str] = PARTS, workers: int = 1,
                 cache_dir: Optional[str] = None, progress: bool = True) -> None:
        if backend not in BACKENDS:
            raise ConfigurationError(f"image_extraction.backend must be one of {list(BACKENDS)}, got {backend!r}")
        unknown = [part for part in parts if part not in VISUAL_MODALITIES]
        if unknown or not parts or len(set(parts)) != len(parts):
            raise ConfigurationError(f"image_extraction.parts must name distinct visual modalities of "
                                     f"{list(VISUAL_MODALITIES)}, got {list(parts)}")
        if not isinstance(workers, int) or workers < 1:
            raise ConfigurationError(f"image_extraction.workers must be a whole number >= 1, got {workers!r}")
        self.backend, self.responses_dir, self.parts = backend, responses_dir, list(parts)
        self.workers, self.cache_dir, self.progress = workers, cache_dir, progress
        self.options = self.backend_options(dict(options or {}))
        self._cache = None
        self._responses: Optional[VisualFeatures] = None

    def backend_options(self, options: Dict[str, Any]) -> Dict[str, Any]:
        """The backend's options with each extractor switched on exactly when its part is used (``easyocr`` reads
        text only and takes no switches)."""
        if self.backend == "easyocr":
            return options
        switches = {SWITCHES[part]: part in self.parts for part in VISUAL_MODALITIES}
        if self.backend == "local":
            switches.pop("safe_search")
        return {**switches, **options}

    def names(self, column: str) -> List[str]:
        return [f"{column}_{part}" for part in self.parts]

    @property
    def cache(self):
        if self._cache is None:
            from dm2s2_allennlp.vision.feature_cache import FeatureCache

            self._cache = FeatureCache(self.backend, self.options, self.cache_dir)
        return self._cache

    @property
    def responses(self) -> VisualFeatures:
        if self._responses is None:
            self._responses = VisualFeatures(self.responses_dir)
        return self._responses


class ImageColumns:
    """The image columns of one reader: their modality names, and :meth:`reading` for each file it reads."""

    def __init__(self, columns: Sequence[str], extraction: ImageExtraction) -> None:
        self.columns, self.extraction = list(columns), extraction
        self._keys: Dict[Tuple[str, int, int], str] = {}  # (path, size, mtime) -> content key, for this process

    def expand(self, names: Iterable[str]) -> List[str]:
        """``names`` with each image column replaced by its visual modalities, in place."""
        expanded: List[str] = []
        for name in names:
            expanded += self.extraction.names(name) if name in self.columns else [name]
        return expanded

    def key(self, path: str) -> str:
        from dm2s2_allennlp.vision.feature_cache import content_key

        stat = os.stat(path)
        marker = (os.path.abspath(path), stat.st_size, stat.st_mtime_ns)
        if marker not in self._keys:
            self._keys[marker] = content_key(path)
        return self._keys[marker]

    def reading(self, file_path: str) -> "ImageReading":
        return ImageReading(self, str(file_path))


class ImageReading:
    """One file's image cells: :meth:`prepare` extracts what the cache lacks (before any instance is made),
    :meth:`values` turns a record's cells into visual modality values, :meth:`finish` logs what was counted."""

    def __init__(self, images: ImageColumns, file_path: str) -> None:
        self.images, self.file_path = images, file_path
        self.folder = os.path.dirname(os.path.abspath(file_path))
        self.counts: Counter = Counter()
        self.seen: Counter = Counter()  # cells per image column
        self.problems = 0

    def prepare(self, records: Iterable[Tuple[str, Dict[str, Any]]]) -> None:
        """Every image of ``records`` (``(where, values)``) that the cache lacks, extracted now (not with
        ``responses_dir``)."""
        extraction = self.images.extraction
        if extraction.responses_dir:
            return
        wanted: Dict[str, str] = {}
        for _, values in records:
            for column in self.images.columns:
                cell = values.get(column)
                if isinstance(cell, str) and cell.strip():
                    path = resolve(cell, self.folder)
                    if os.path.isfile(path):
                        wanted.setdefault(self.images.key(path), path)
        summary = extraction.cache.fill(wanted, extraction.workers, extraction.progress)
        if summary["extracted"] or summary["failed"]:
            logger.info("%s: visual features of %d images: %d from the cache (%s), %d extracted now, %d failed",
                        self.file_path, summary["images"], summary["cached"], extraction.cache.folder,
                        summary["extracted"], summary["failed"])

    def values(self, values: Dict[str, Any], where: str) -> Dict[str, Any]:
        """``values`` with each image column's cell replaced by its visual modality values (all ``None`` when the
        image is missing, unreadable or could not be extracted: counted and logged)."""
        values = dict(values)
        for column in self.images.columns:
            cell = values.pop(column, None)
            found = self.lookup(cell, where, column) if cell is not None else None
            for part, name in zip(self.images.extraction.parts, self.images.extraction.names(column)):
                values[name] = found[part] if found is not None else None
        return values

    def lookup(self, cell: Any, where: str, column: str) -> Optional[Dict[str, Any]]:
        if not isinstance(cell, str):
            return self.problem(where, column, cell, "not a path (a table cell of text)")
        if not cell.strip():
            return None
        self.seen[column] += 1
        extraction = self.images.extraction
        if extraction.responses_dir:
            found = extraction.responses.lookup(os.path.basename(cell.strip()), where)
            if all(value is None for value in found.values()):
                return self.problem(where, column, cell, f"no response in {extraction.responses_dir}")
            return found
        path = resolve(cell, self.folder)
        if not os.path.isfile(path):
            return self.problem(where, column, cell, "no such image file")
        response = extraction.cache.get(self.images.key(path))
        if response is None:
            return self.problem(where, column, cell, "the backend failed on it (logged above)", "extraction failed")
        if kind_of(response) == "error":
            reason = str(response.get("error", {}).get("message", "unreadable"))
            return self.problem(where, column, cell, reason, "not a decodable image")
        self.counts["images read"] += 1
        return visual_values(response)

    def problem(self, where: str, column: str, cell: Any, reason: str, kind: Optional[str] = None) -> None:
        self.counts[kind or reason] += 1
        self.problems += 1
        if self.problems <= LOGGED:
            logger.warning("%s, column %r: image %r left missing: %s", where, column, cell, reason)
        return None

    def finish(self) -> None:
        absent = [column for column in self.images.columns if not self.seen[column]]
        if absent and len(absent) == len(self.images.columns):
            logger.warning("%s: no image in the image column(s) %s", self.file_path, absent)
        if self.problems:
            details = ", ".join(f"{kind}: {n}" for kind, n in sorted(self.counts.items()))
            logger.warning("%s: image columns %s read with %s (their visual modalities left missing for each "
                           "problem)", self.file_path, self.images.columns, details)


def detect(records: Iterable[Tuple[str, Dict[str, Any]]], file_path: str) -> List[str]:
    """The image columns of ``records`` (``(where, values)``) by the rule of the module docstring, in first-seen
    order."""
    folder = os.path.dirname(os.path.abspath(str(file_path)))
    candidate: Dict[str, bool] = {}
    exists: Dict[str, bool] = {}
    for _, values in records:
        for name, cell in values.items():
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                candidate.setdefault(name, True)
                continue
            if not looks_like_image_path(cell):
                candidate[name] = False
            elif candidate.setdefault(name, True) and not exists.get(name):
                exists[name] = os.path.isfile(resolve(cell, folder))
    return [name for name, ok in candidate.items() if ok and exists.get(name)]
