"""``ad_lp``: search ads and their landing pages (LPs) -> conversion rate (DM2S2 Appendix A, Table 7).

The Ad-LP data set itself is private (CyberAgent); this reader defines the record schema a user converts their own
ad/LP data into, one JSON object per line, mirroring Table 7 (``*`` = optional in the paper):

    {"id": "ad-1", "ad_group_id": "g-17",
     "keyword": "...", "title_1": "...", "title_2": "...*", "title_3": "...*",
     "description_1": "...", "description_2": "...*", "path_1": "...*", "path_2": "...*",
     "match_type": "EXACT" | "PHRASE" | "BROAD",
     "lp_text": "OCR of the LP's first view",
     "safe_search": {"adult": "VERY_UNLIKELY", "spoof": ..., "medical": ..., "violence": ..., "racy": ...},
     "labels": ["..."], "objects": ["..."], "num_faces": 0, "lighthouse_performance": 87,
     "conversion_rate": 0.0123}

``id`` and ``ad_group_id`` are required (the group drives the split: ``allennlp group-split``). Every other field
may be absent or ``null``: it becomes a missing modality, and a missing field the paper does not mark optional is
counted and reported after reading. ``safe_search`` is an object of Cloud Vision likelihoods (names or ints 0-5) or
a list of tokens. ``conversion_rate`` is the regression target; without it a record is unlabeled (prediction).

Modalities (default, Table 7's order): keyword, title_1, title_2, title_3, description_1, description_2, path_1,
path_2, match_type, lp_text, safe_search, labels, objects, num_faces, lighthouse_performance.

Japanese text: point ``transformer_model_name`` at a Japanese BERT whose tokenizer is ``BertJapaneseTokenizer``
with ``word_tokenizer_type: mecab`` (the paper's cl-tohoku whole-word-masking BERT is one): MeCab (``fugashi`` with
the ``unidic-lite`` or ``ipadic`` dictionary) segments words, WordPiece splits them. Both install offline from PyPI.
"""
from collections import Counter
from typing import Any, Dict, Iterable, List, Optional

from allennlp.data import DatasetReader, Instance

from dm2s2_allennlp.dataset_readers.cloud_vision import SAFE_SEARCH_CATEGORIES, _likelihood
from dm2s2_allennlp.dataset_readers.file_checks import parse_json, text_lines
from dm2s2_allennlp.dataset_readers.multimodal_reader import DataError, MultimodalReader

AD_LP_MODALITIES = ["keyword", "title_1", "title_2", "title_3", "description_1", "description_2", "path_1", "path_2",
                    "match_type", "lp_text", "safe_search", "labels", "objects", "num_faces",
                    "lighthouse_performance"]
OPTIONAL_FIELDS = {"title_2", "title_3", "description_2", "path_1", "path_2"}
TARGET = "conversion_rate"


def safe_search_tokens(value: Any, where: str) -> Optional[List[str]]:
    if value is None or isinstance(value, list):
        return value
    if not isinstance(value, dict):
        raise DataError(where, "safe_search", f"must be an object of likelihoods or a list, got {value!r}")
    tokens = []
    for category in SAFE_SEARCH_CATEGORIES:
        likelihood = _likelihood(value.get(category))
        if likelihood:
            tokens.append(f"{category} {likelihood}")
    return tokens or None


@DatasetReader.register("ad_lp")
class AdLpReader(MultimodalReader):
    """Parameters: those of :class:`MultimodalReader`; ``task`` is always ``regression``, ``modalities`` defaults
    to Table 7's fields."""

    def __init__(self, modalities: Optional[List[str]] = None, **kwargs) -> None:
        self.fixed_task(kwargs, "regression", "ad_lp")
        modalities = list(AD_LP_MODALITIES if modalities is None else modalities)
        unknown = [m for m in modalities if m not in AD_LP_MODALITIES]
        if unknown:
            raise DataError("ad_lp reader", "modalities", f"unknown fields {unknown}; choose from {AD_LP_MODALITIES}")
        super().__init__(modalities=modalities, **kwargs)

    def parse(self, line: str, where: str, counts: Counter) -> Dict[str, Any]:
        record = parse_json(line, where)
        if not isinstance(record, dict):
            raise DataError(where, None, "a record must be a JSON object")
        for key in ("id", "ad_group_id"):
            if record.get(key) in (None, ""):
                raise DataError(where, key, "required (the split by ad group needs it)")
        for name in self.modalities:
            if name not in OPTIONAL_FIELDS and record.get(name) in (None, "", []):
                counts[f"missing {name}"] += 1
        return record

    def _read(self, file_path: str) -> Iterable[Instance]:
        with self.checking(file_path) as checks:
            for number, line in self.shard_iterable(text_lines(file_path)):
                where = f"{file_path}:{number}"
                record = self.parse(line, where, checks.counts)
                values = {name: record.get(name) for name in self.modalities}
                if "safe_search" in values:
                    values["safe_search"] = safe_search_tokens(values["safe_search"], where)
                yield self.make_instance(str(record["id"]), values, record.get(TARGET), where=where,
                                         extra_metadata={"ad_group_id": str(record["ad_group_id"])}, checks=checks)
