"""The driver of ``allennlp extract-visual-features``: every image of a directory -> ``OUT/<image id>.json`` (the
image id is the file name without its extension, which is how the readers look features up), with a progress bar,
worker processes and resume.

  * Resume: an image whose ``<id>.json`` already exists and holds a JSON object is skipped, so a killed run simply
    continues. Files are written to a temporary name and renamed, so a kill never leaves half a file.
  * Bad input: an image that cannot be decoded (corrupt, truncated, not an image) or that a backend fails on is
    reported (logged with the reason) and counted; the run goes on. Two images with the same id (``a.jpg`` and
    ``a.png``) are ambiguous: the second is skipped and counted.
  * ``summary`` (returned, printed by the command, written to ``OUT/_extract_summary.json``): images found,
    extracted now, already done, failed, duplicate ids, and the reason per failed file.
"""
import json
import logging
import os
from typing import Any, Dict, List, Optional, Tuple

logger = logging.getLogger(__name__)

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp")
SUMMARY_FILE = "_extract_summary.json"
BACKENDS = ("local", "cloud-vision", "easyocr")


def make_backend(name: str, options: Dict[str, Any]):
    if name == "local":
        from dm2s2_allennlp.vision.local_backend import LocalBackend

        return LocalBackend(**options)
    if name == "cloud-vision":
        from dm2s2_allennlp.vision.cloud_backend import CloudVisionBackend

        return CloudVisionBackend(**{k: v for k, v in options.items()
                                     if k in ("client", "ocr", "faces", "labels", "objects", "safe_search")})
    if name == "easyocr":
        from dm2s2_allennlp.vision.easyocr_backend import EasyOcrBackend

        return EasyOcrBackend(**{k: v for k, v in options.items() if k in ("models", "languages", "min_confidence",
                                                                           "reader")})
    raise ValueError(f"unknown backend {name!r}; choose one of {BACKENDS}")


def list_images(images_dir: str) -> Tuple[List[str], List[str]]:
    """Image files of ``images_dir`` (sorted) and the files skipped as duplicate ids."""
    if not os.path.isdir(images_dir):
        raise FileNotFoundError(f"{images_dir}: not a directory of images")
    chosen: Dict[str, str] = {}
    duplicates = []
    for name in sorted(os.listdir(images_dir)):
        stem, extension = os.path.splitext(name)
        if extension.lower() not in IMAGE_EXTENSIONS or not os.path.isfile(os.path.join(images_dir, name)):
            continue
        if stem in chosen:
            duplicates.append(name)
            logger.warning("%s: same image id %r as %s; skipped", os.path.join(images_dir, name), stem, chosen[stem])
            continue
        chosen[stem] = name
    return [os.path.join(images_dir, name) for name in chosen.values()], duplicates


def output_path(out_dir: str, image_path: str) -> str:
    return os.path.join(out_dir, os.path.splitext(os.path.basename(image_path))[0] + ".json")


def already_done(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            return isinstance(json.load(handle), dict)
    except (OSError, ValueError):
        return False


class UndecodableImage(ValueError):
    """A file that is not a decodable image (corrupt, truncated, not an image at all)."""


def load_image(path: str):
    """The image decoded to RGB; raises :class:`UndecodableImage` naming the problem when it cannot be decoded."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as probe:
            probe.verify()
        with Image.open(path) as image:
            image.load()
            return image.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise UndecodableImage(f"cannot decode image: {error}") from None


_BACKEND = None


def _init_worker(backend: str, options: Dict[str, Any]) -> None:
    """One worker process: one torch thread (the local backend runs Tesseract with one thread too)."""
    global _BACKEND
    import torch

    torch.set_num_threads(1)
    _BACKEND = make_backend(backend, options)


def annotate_file(path: str, backend) -> Dict[str, Any]:
    """One image file's ``AnnotateImageResponse``; :class:`UndecodableImage` when it cannot be decoded."""
    image = load_image(path)
    if getattr(backend, "reads_bytes", False):
        with open(path, "rb") as handle:
            return backend.annotate_bytes(handle.read())
    return backend.annotate(image)


def write_json(target: str, value: Dict[str, Any]) -> None:
    """``value`` to ``target`` through a temporary name and a rename, so a kill never leaves half a file."""
    temporary = f"{target}.tmp{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(value, handle, ensure_ascii=False)
    os.replace(temporary, target)


def process(path: str, target: str, backend=None, keep_undecodable: bool = False) -> Tuple[str, Optional[str]]:
    """Extract one image into ``target``; returns ``(path, None)`` or ``(path, reason it failed)``. With
    ``keep_undecodable`` a file that is not a decodable image is written as the API's failed-image shape
    ``{"error": {"message": reason}}`` (the reader's "missing features"), so a cache never decodes it again."""
    backend = backend or _BACKEND
    try:
        try:
            response = annotate_file(path, backend)
        except UndecodableImage as error:  # only the file's own fault is kept; a backend's failure is retried
            if not keep_undecodable:
                raise
            response = {"error": {"message": str(error)}}
            write_json(target, response)
            return path, f"{type(error).__name__}: {error}"
        write_json(target, response)
        return path, None
    except Exception as error:  # any failure of one image is reported and counted, never fatal to the run
        return path, f"{type(error).__name__}: {error}"


def run_jobs(jobs: List[Tuple[str, str]], backend: str, options: Dict[str, Any], workers: int = 1,
             progress: bool = True, keep_undecodable: bool = False, instance=None) -> List[Tuple[str, Optional[str]]]:
    """``process`` every ``(image path, target)`` of ``jobs``, in ``workers`` spawned processes (each builds its
    backend once) or in this one (``instance``: a backend already built), with a progress bar; the results in the
    order they finished."""
    from tqdm import tqdm

    results: List[Tuple[str, Optional[str]]] = []
    if not jobs:
        return results
    with tqdm(total=len(jobs), desc=f"visual features ({backend})", disable=not progress, unit="image") as bar:
        if workers > 1:
            import multiprocessing

            context = multiprocessing.get_context("spawn")
            with context.Pool(min(workers, len(jobs)), initializer=_init_worker, initargs=(backend, options)) as pool:
                for result in pool.imap_unordered(_process_star, [(*job, None, keep_undecodable) for job in jobs]):
                    results.append(result)
                    bar.update(1)
        else:
            instance = instance or make_backend(backend, options)
            for path, target in jobs:
                results.append(process(path, target, instance, keep_undecodable))
                bar.update(1)
    return results


def extract(images_dir: str, out_dir: str, backend: str = "local", workers: int = 1, resume: bool = True,
            progress: bool = True, options: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    options = options or {}
    os.makedirs(out_dir, exist_ok=True)
    images, duplicates = list_images(images_dir)
    todo = [p for p in images if not (resume and already_done(output_path(out_dir, p)))]
    failures: Dict[str, str] = {}
    results = run_jobs([(p, output_path(out_dir, p)) for p in todo], backend, options, workers, progress)
    for path, reason in results:
        if reason is not None:
            failures[os.path.basename(path)] = reason
            logger.warning("%s: skipped (%s)", path, reason)
    summary = {
        "backend": backend, "images": len(images), "extracted": len(results) - len(failures),
        "already_done": len(images) - len(todo), "failed": len(failures),
        "duplicate_ids": len(duplicates), "failures": failures,
    }
    with open(os.path.join(out_dir, SUMMARY_FILE), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2, ensure_ascii=False)
    return summary


def _process_star(arguments) -> Tuple[str, Optional[str]]:
    return process(*arguments)
