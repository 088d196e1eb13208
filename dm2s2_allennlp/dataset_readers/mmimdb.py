"""``mmimdb``: the MM-IMDB data set (Arevalo et al. 2017) in its published layout, plus Cloud Vision poster features.

Layout (the unpacked ``mmimdb.tar.gz``)::

    mmimdb/split.json             {"train": [ids], "dev": [ids], "test": [ids]}
    mmimdb/dataset/<id>.json      IMDbPY dump: "title", "plot" (a LIST), "genres", ... (keys contain spaces)
    mmimdb/dataset/<id>.jpeg      the poster (not read here; see the features)

The data path names the directory (or its ``split.json``) and the split, as a ``#`` suffix:
``/data/mmimdb#train``, ``/data/mmimdb#dev``, ``/data/mmimdb/split.json#test``. Without a suffix the reader's
``split`` parameter is used. Ids are kept as strings (7-digit, zero padded), whitespace stripped.

Modalities, in the paper's order (Fig. 2/3): ``title``, ``plot`` (the longest entry of the ``plot`` list after
stripping an ``::author`` suffix; ``plot outline`` when the list is empty or absent), then from the poster's Cloud
Vision response in ``features_dir`` (see ``cloud_vision``): ``ocr_text``, ``num_faces``, ``labels``, ``objects``.
``modalities`` may name a subset (the ablations of Fig. 2 drop some) and may add ``safe_search``.

Labels: the fixed 23 genres in GMU's order (``MMIMDB_GENRES``); other genres (News, Adult, Talk-Show, Reality-TV)
are dropped from the target and counted, the film is kept.

Bad input: an id in ``split.json`` without its ``dataset/<id>.json``, a corrupt JSON file, a ``genres`` that is not
a list of strings, or an unknown split name raise :class:`DataError` naming the file and the film. Films without a
title, without any plot, or without poster features get missing modalities; all of these are counted and reported
when the file has been read. A film listed twice in a split, or in two splits, is read as listed, with a warning.
"""
import json
import logging
import os
from collections import Counter
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from allennlp.data import DatasetReader, Instance

from dm2s2_allennlp.dataset_readers.cloud_vision import VISUAL_MODALITIES, ImageFeatures
from dm2s2_allennlp.dataset_readers.multimodal_reader import DataError, MultimodalReader

MMIMDB_GENRES = ["Drama", "Comedy", "Romance", "Thriller", "Crime", "Action", "Adventure", "Horror", "Documentary",
                 "Mystery", "Sci-Fi", "Fantasy", "Family", "Biography", "War", "History", "Music", "Animation",
                 "Musical", "Western", "Sport", "Short", "Film-Noir"]
MMIMDB_MODALITIES = ["title", "plot", "ocr_text", "num_faces", "labels", "objects"]
logger = logging.getLogger(__name__)


def warn_split_problems(split_file: str, split: str, ids: List[str], others: Dict[str, Set[str]]) -> None:
    """Warn (once per problem) for films listed twice in ``split`` and for films that are in another split too:
    both are read as listed, but a film in train and test makes the test figures measure a film seen in training."""
    repeated = [film for film, n in Counter(ids).items() if n > 1]
    if repeated:
        logger.warning("%s: %d film(s) listed more than once in %r, e.g. %s; each listing is read (the film counts "
                       "twice)", split_file, len(repeated), split, repeated[:5])
    for name, listed in sorted(others.items()):
        shared = sorted(set(ids) & listed)
        if shared:
            logger.warning("%s: %d film(s) of %r are also in %r, e.g. %s: a film in two splits leaks from one into "
                           "the other's figures", split_file, len(shared), split, name, shared[:5])


def longest_plot(plots: Any) -> Optional[str]:
    """The longest plot summary with its ``::author`` suffix removed (``None`` if there is none)."""
    if isinstance(plots, str):
        plots = [plots]
    if not isinstance(plots, list):
        return None
    cleaned = []
    for plot in plots:
        if isinstance(plot, str):
            text = plot.rsplit("::", 1)[0] if "::" in plot else plot
            text = " ".join(text.split())
            if text:
                cleaned.append(text)
    return max(cleaned, key=len) if cleaned else None


@DatasetReader.register("mmimdb")
class MmImdbReader(MultimodalReader):
    """Parameters: ``features_dir`` (Cloud Vision responses per poster id; optional), ``ocr_features_dir`` (where
    ``ocr_text`` comes from instead, e.g. Tesseract's or EasyOCR's; optional), ``split`` (default split when
    the path has no ``#`` suffix), ``skip_unreadable_features``, and those of :class:`MultimodalReader`
    (``modalities`` defaults to the paper's six; ``task`` is always ``multilabel``)."""

    def __init__(self, features_dir: Optional[str] = None, split: Optional[str] = None,
                 modalities: Optional[List[str]] = None, skip_unreadable_features: bool = False,
                 ocr_features_dir: Optional[str] = None, **kwargs) -> None:
        self.fixed_task(kwargs, "multilabel", "mmimdb")
        modalities = list(MMIMDB_MODALITIES if modalities is None else modalities)
        known = {"title", "plot", *VISUAL_MODALITIES}
        unknown = [m for m in modalities if m not in known]
        if unknown:
            raise DataError("mmimdb reader", "modalities", f"unknown modalities {unknown}; choose from {sorted(known)}")
        super().__init__(modalities=modalities, **kwargs)
        self.features_dir = features_dir
        self.ocr_features_dir = ocr_features_dir
        self.split = split
        self.skip_unreadable_features = skip_unreadable_features

    def _locate(self, file_path: str) -> Tuple[str, str]:
        path, _, split = str(file_path).partition("#")
        split = split or self.split
        if not split:
            raise DataError(str(file_path), None, "no split given: append '#train', '#dev' or '#test' to the path, "
                                                  "or set the reader's `split`")
        root = os.path.dirname(path) if path.endswith(".json") else path
        return root, split

    def _read(self, file_path: str) -> Iterable[Instance]:
        root, split = self._locate(file_path)
        split_file = os.path.join(root, "split.json")
        try:
            with open(split_file, encoding="utf-8") as handle:
                splits = json.load(handle)
        except (OSError, json.JSONDecodeError) as error:
            raise DataError(split_file, None, f"cannot read the split file: {error}") from None
        if split not in splits:
            raise DataError(split_file, split, f"no such split; the file has {sorted(splits)}")
        features = ImageFeatures(self.features_dir, self.ocr_features_dir, self.skip_unreadable_features)
        ids = [str(i).strip() for i in splits[split]]
        warn_split_problems(split_file, split, ids, {name: {str(i).strip() for i in listed}
                                                     for name, listed in splits.items() if name != split})
        with self.checking(f"{split_file}#{split}") as checks:
            for film_id in self.shard_iterable(ids):
                yield self.film_instance(root, film_id, features, checks)
            checks.counts.update(features.stats)

    def film_instance(self, root: str, film_id: str, features: ImageFeatures, checks) -> Instance:
        path = os.path.join(root, "dataset", f"{film_id}.json")
        where = f"{path} (film {film_id})"
        if not os.path.exists(path):
            raise DataError(where, None, "split.json lists this film but its dataset file is missing")
        try:
            with open(path, encoding="utf-8") as handle:
                film = json.load(handle)
        except (OSError, json.JSONDecodeError) as error:
            raise DataError(where, None, f"corrupt film file: {error}") from None
        if not isinstance(film, dict):
            raise DataError(where, None, "a film file must hold a JSON object")
        genres = film.get("genres", [])
        if not isinstance(genres, list) or not all(isinstance(g, str) for g in genres):
            raise DataError(where, "genres", f"must be a list of strings, got {genres!r}")
        counts = checks.counts
        label = [g.strip() for g in genres if g.strip() in MMIMDB_GENRES]
        for dropped in sorted({g.strip() for g in genres} - set(MMIMDB_GENRES)):
            counts[f"genre dropped from the target ({dropped})"] += 1
        if not label:
            counts["films with none of the 23 genres (empty target)"] += 1
        title = film.get("title") if isinstance(film.get("title"), str) else None
        plot = longest_plot(film.get("plot"))
        if plot is None and isinstance(film.get("plot outline"), str):
            plot = longest_plot([film["plot outline"]])
            counts["plot taken from 'plot outline'"] += 1
        if not (title or "").strip():
            counts["missing title"] += 1
        if plot is None:
            counts["missing plot"] += 1
        values: Dict[str, Any] = {"title": title, "plot": plot}
        values.update(features.lookup(film_id, where))
        return self.make_instance(film_id, values, label, where=where, checks=checks)
