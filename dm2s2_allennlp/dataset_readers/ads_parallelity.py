"""``ads_parallelity``: the Ads-Parallelity data set (Zhang, Hwa, Kovashka, BMVC 2018) with Cloud Vision features.

File: ``ads_parallelity_dataset.csv``, a header row, then ONE ROW PER (image, worker). Which column holds what is a
parameter, ``columns``, mapping a role to a column index (0-based) or a header name; the defaults follow what is
known of the file (the real header is not confirmed, so check yours):

    image 0 (file name, e.g. 100007.png) | transcription 1 | message 2 | naturalness 3 | concreteness 4 |
    equivalence 5 (the finer equivalent / non-equivalent answer) | parallelity 6

Per image (all rows of one image file):
  * target ``parallel`` / ``non_parallel`` by MAJORITY VOTE of the workers' parallelity answers. An answer is
    parallel when it is in ``parallel_values`` (default ``parallel``, ``1``, ``true``, ``yes``; case-insensitive) and
    non-parallel when it is in ``non_parallel_values`` (default ``non-parallel``, ``non_parallel``, ``nonparallel``,
    ``not parallel``, ``0``, ``false``, ``no``); any other answer raises :class:`DataError` naming the line (a column
    mapping that points at the wrong column ends there, instead of in a data set of one class). A blank answer is no
    vote (counted); an image without votes is left out (counted). A TIE follows ``tie``: ``non_parallel`` (default:
    an image is parallel only on a strict majority), ``parallel``, or ``skip`` (the image is left out and counted).
  * the fine class for Table 2's per-class accuracy, kept in ``metadata["fine_class"]``: ``non_parallel``, or for a
    parallel image ``parallel_equivalent`` / ``parallel_non_equivalent`` by majority vote of the parallel voters'
    equivalence answers (in ``equivalent_values``, default ``["equivalent", "parallel-equivalent",
    "parallel_equivalent", "equiv"]``; a tie counts as equivalent). Never used to change the target.
  * modality texts: for each text or categorical column the most common answer among the workers (whitespace
    normalised, case kept; a tie goes to the earliest row).
Modalities (default, the paper's order): ``transcription, message, naturalness, concreteness`` then, from the
image's Cloud Vision response in ``features_dir`` (by image file stem): ``ocr_text, num_faces, labels, objects``
(``ocr_text`` from ``ocr_features_dir`` instead when that is given: Table 1's other OCR sources).

Folds: a deterministic stratified k-fold over images (``folds.stratified_folds``, stratified by the fine class,
``seed``), ``folds`` (default 5). ``fold`` picks the held-out fold i (``fold: null`` returns every image) and
``fold_role`` what this reader returns:
  * ``test``: fold i;  ``train``: the other k-1 folds;
  * ``validation``: fold (i+1) mod k;  ``train_minus_validation``: the k-2 folds that are neither.
A ``#role`` suffix on the data path overrides ``fold_role``, so one reader serves all three paths of a config:
``train_data_path: "ads.csv#train_minus_validation"``, ``validation_data_path: "ads.csv#validation"``,
``test_data_path: "ads.csv#test"`` (the shipped experiments do this: model selection never sees the test fold).

Bad input: a file whose first row looks like data (its image cell a file name, its parallelity cell an answer: the
header row is missing), a row whose column count differs from the header's (an unquoted comma; a stray ``"`` that
swallows the lines after it is reported at the line where its row starts), an empty image name, or a column name not
in the header raise :class:`DataError` naming the file and line (or column).
"""
import csv
import io
import os
from collections import Counter, OrderedDict
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from allennlp.data import DatasetReader, Instance

from dm2s2_allennlp.dataset_readers.cloud_vision import ImageFeatures
from dm2s2_allennlp.dataset_readers.file_checks import open_data
from dm2s2_allennlp.dataset_readers.folds import stratified_folds
from dm2s2_allennlp.dataset_readers.multimodal_reader import DataError, MultimodalReader

DEFAULT_COLUMNS = {"image": 0, "transcription": 1, "message": 2, "naturalness": 3, "concreteness": 4,
                   "equivalence": 5, "parallelity": 6}
ADS_MODALITIES = ["transcription", "message", "naturalness", "concreteness", "ocr_text", "num_faces", "labels",
                  "objects"]
TEXT_ROLES = ("transcription", "message", "naturalness", "concreteness")
FOLD_ROLES = ("train", "test", "validation", "train_minus_validation")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff"}


def most_common(answers: Sequence[str]) -> Optional[str]:
    """The most frequent non-empty answer; ties go to the one that appears first."""
    answers = [" ".join(a.split()) for a in answers if a and a.strip()]
    if not answers:
        return None
    counts = Counter(answers)
    best = max(counts.values())
    return next(a for a in answers if counts[a] == best)


@DatasetReader.register("ads_parallelity")
class AdsParallelityReader(MultimodalReader):
    def __init__(
        self,
        features_dir: Optional[str] = None,
        ocr_features_dir: Optional[str] = None,
        columns: Optional[Dict[str, Union[int, str]]] = None,
        parallel_values: Sequence[str] = ("parallel", "1", "true", "yes"),
        non_parallel_values: Sequence[str] = ("non-parallel", "non_parallel", "nonparallel", "not parallel",
                                              "not_parallel", "0", "false", "no"),
        equivalent_values: Sequence[str] = ("equivalent", "parallel-equivalent", "parallel_equivalent", "equiv"),
        tie: str = "non_parallel",
        folds: int = 5,
        fold: Optional[int] = None,
        fold_role: str = "test",
        seed: int = 13,
        modalities: Optional[List[str]] = None,
        skip_unreadable_features: bool = False,
        **kwargs,
    ) -> None:
        self.fixed_task(kwargs, "classification", "ads_parallelity")
        super().__init__(modalities=list(ADS_MODALITIES if modalities is None else modalities), **kwargs)
        if tie not in ("non_parallel", "parallel", "skip"):
            raise DataError("ads_parallelity reader", "tie", f"must be non_parallel, parallel or skip, got {tie!r}")
        self._check_role(fold_role)
        if fold is not None and not 0 <= fold < folds:
            raise DataError("ads_parallelity reader", "fold", f"must be in 0..{folds - 1}, got {fold}")
        self.features_dir = features_dir
        self.ocr_features_dir = ocr_features_dir
        self.columns = {**DEFAULT_COLUMNS, **(columns or {})}
        self.parallel_values = {v.strip().lower() for v in parallel_values}
        self.non_parallel_values = {v.strip().lower() for v in non_parallel_values}
        if self.parallel_values & self.non_parallel_values:
            raise DataError("ads_parallelity reader", "parallel_values", "these answers are in both value lists: "
                            f"{sorted(self.parallel_values & self.non_parallel_values)}")
        self.equivalent_values = {v.strip().lower() for v in equivalent_values}
        self.tie = tie
        self.folds, self.fold, self.fold_role, self.seed = folds, fold, fold_role, seed
        self.skip_unreadable_features = skip_unreadable_features

    @staticmethod
    def _check_role(role: str) -> str:
        if role not in FOLD_ROLES:
            raise DataError("ads_parallelity reader", "fold_role", f"must be one of {FOLD_ROLES}, got {role!r}")
        return role

    def in_role(self, fold: int, role: str) -> bool:
        validation = (self.fold + 1) % self.folds
        if role == "test":
            return fold == self.fold
        if role == "train":
            return fold != self.fold
        if role == "validation":
            return fold == validation
        return fold not in (self.fold, validation)

    # -- CSV -> per-image rows -------------------------------------------------------------------------------------
    def _column_indices(self, header: List[str], file_path: str) -> Dict[str, int]:
        indices = {}
        for role, column in self.columns.items():
            if isinstance(column, int):
                indices[role] = column
            elif column in header:
                indices[role] = header.index(column)
            else:
                raise DataError(f"{file_path}:1", column, f"column for {role!r} not in the header {header}")
        if max(indices.values()) >= len(header):
            raise DataError(f"{file_path}:1", None, f"the column mapping needs {max(indices.values()) + 1} columns, the "
                                                    f"header has {len(header)}: {header}")
        return indices

    def check_header(self, header: List[str], file_path: str) -> None:
        """Refuse a first row that is a data row: without its header the first record would be lost silently."""
        image = self.columns["image"]
        parallelity = self.columns["parallelity"]
        cells = {role: header[column].strip() for role, column in (("image", image), ("parallelity", parallelity))
                 if isinstance(column, int) and column < len(header)}
        looks_like_data = (os.path.splitext(cells.get("image", ""))[1].lower() in IMAGE_SUFFIXES
                           or cells.get("parallelity", "").lower() in self.parallel_values | self.non_parallel_values)
        if looks_like_data:
            raise DataError(f"{file_path}:1", None, f"the first row {header[:3] + ['...']} is a data row, not the "
                            "header row the file starts with (image, transcription, ..., parallelity): put the header "
                            "back, or the first image's vote would be read without it")

    def group_rows(self, file_path: str) -> "OrderedDict[str, List[Dict[str, Any]]]":
        images: "OrderedDict[str, List[Dict[str, Any]]]" = OrderedDict()
        with io.TextIOWrapper(open_data(file_path), encoding="utf-8-sig", newline="") as handle:
            rows = csv.reader(handle)
            try:
                header = next(rows)
            except StopIteration:
                raise DataError(file_path, None, "empty file (expected a header row)") from None
            except csv.Error as error:
                raise DataError(f"{file_path}:1", None, f"corrupt CSV: {error}") from None
            self.check_header(header, file_path)
            indices = self._column_indices(header, file_path)
            while True:
                start = rows.line_num + 1  # the line this row starts on (a quoted field may run over several)
                try:
                    row = next(rows)
                except StopIteration:
                    break
                except csv.Error as error:
                    runs_on = (f"; the row starting on line {start} runs to line {rows.line_num}: a `\"` that opens "
                               "a field and is never closed?") if rows.line_num > start else ""
                    raise DataError(f"{file_path}:{start}", None, f"corrupt CSV: {error}{runs_on}") from None
                if not any(cell.strip() for cell in row):
                    continue
                where = f"{file_path}:{start}"
                if len(row) != len(header) or self._swallows_rows(row, header):
                    raise DataError(where, None, self._width_problem(row, header, start, rows.line_num))
                image = row[indices["image"]].strip()
                if not image:
                    raise DataError(where, "image", "empty image file name")
                entry = {role: row[i] for role, i in indices.items()}
                entry["where"] = where
                images.setdefault(image, []).append(entry)
        return images

    @staticmethod
    def _swallows_rows(row: List[str], header: List[str]) -> bool:
        """A quoted field holding whole lines that look like rows of their own (as many commas as a row has): a
        stray quote that ran on, even where the merged row happens to have the header's width."""
        inner = [line for cell in row if "\n" in cell for line in cell.splitlines()[1:]]
        return any(line.count(",") >= len(header) - 1 for line in inner)

    @staticmethod
    def _width_problem(row: List[str], header: List[str], start: int, end: int) -> str:
        problem = f"row has {len(row)} columns, the header has {len(header)}"
        if len(row) == len(header):
            problem = "a field of this row holds whole lines that look like rows of their own"
        if end > start:
            return (f"{problem}; it runs from line {start} to line {end}: a `\"` that opens a field on line {start} "
                    "and is not closed there? Quote whole fields, and double a quote inside one (\"\")")
        if len(row) > len(header):
            return f"{problem}: a comma inside a field that is not quoted? Quote fields that contain commas"
        return f"{problem}: a field is missing"

    # -- votes -----------------------------------------------------------------------------------------------------
    def is_parallel(self, row: Dict[str, Any]) -> Optional[bool]:
        """The worker's answer as parallel (True) / non-parallel (False), ``None`` when blank."""
        answer = row["parallelity"].strip().lower()
        if not answer:
            return None
        if answer in self.parallel_values:
            return True
        if answer in self.non_parallel_values:
            return False
        raise DataError(row["where"], "parallelity", f"unknown answer {row['parallelity']!r} (column "
                        f"{self.columns['parallelity']!r}): it is in neither `parallel_values` "
                        f"{sorted(self.parallel_values)} nor `non_parallel_values` {sorted(self.non_parallel_values)}"
                        "; check `columns`, or add the coding to one of the lists")

    def vote(self, rows: List[Dict[str, Any]]) -> Optional[str]:
        answers = [a for a in (self.is_parallel(r) for r in rows) if a is not None]
        parallel = sum(answers)
        other = len(answers) - parallel
        if not answers:
            return None
        if parallel != other:
            return "parallel" if parallel > other else "non_parallel"
        return None if self.tie == "skip" else self.tie

    def fine_class(self, rows: List[Dict[str, Any]], label: str) -> str:
        if label == "non_parallel":
            return "non_parallel"
        voters = [r for r in rows if self.is_parallel(r)] or rows
        equivalent = sum(r.get("equivalence", "").strip().lower() in self.equivalent_values for r in voters)
        return "parallel_equivalent" if equivalent * 2 >= len(voters) else "parallel_non_equivalent"

    def images(self, file_path: str, counts: Counter) -> "OrderedDict[str, Dict[str, Any]]":
        """Every usable image with its voted label, fine class and rows (before fold selection)."""
        voted: "OrderedDict[str, Dict[str, Any]]" = OrderedDict()
        for image, rows in self.group_rows(file_path).items():
            blank = sum(self.is_parallel(r) is None for r in rows)
            if blank:
                counts["blank parallelity answers (no vote)"] += blank
            label = self.vote(rows)
            if label is None:
                counts["images skipped (tied vote, or no votes)"] += 1
                continue
            voted[image] = {"rows": rows, "label": label, "fine_class": self.fine_class(rows, label)}
        return voted

    def _read(self, file_path: str) -> Iterable[Instance]:
        file_path, _, role = str(file_path).partition("#")
        role = self._check_role(role or self.fold_role)
        with self.checking(f"{file_path}#{role}") as checks:
            voted = self.images(file_path, checks.counts)
            fold_of = stratified_folds({image: info["fine_class"] for image, info in voted.items()}, self.folds,
                                       self.seed)
            selected = [image for image in voted if self.fold is None or self.in_role(fold_of[image], role)]
            features = ImageFeatures(self.features_dir, self.ocr_features_dir, self.skip_unreadable_features)
            for image in self.shard_iterable(selected):
                info = voted[image]
                values: Dict[str, Any] = {role: most_common([r.get(role, "") for r in info["rows"]])
                                          for role in TEXT_ROLES}
                image_id = os.path.splitext(os.path.basename(image))[0]
                where = f"{info['rows'][0]['where']} (image {image})"
                values.update(features.lookup(image_id, where))
                yield self.make_instance(image_id, values, info["label"], where=where, checks=checks, extra_metadata={
                    "fine_class": info["fine_class"], "fold": fold_of[image], "votes": len(info["rows"])})
            checks.counts.update(features.stats)
