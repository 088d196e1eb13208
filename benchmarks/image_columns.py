"""The image path end to end on real text (issue 34): the films of ``make demo`` (ggplot2movies: title, year, length,
budget, rating, votes, mpaa -> 7 genres), with the TITLE rendered into a picture (a poster: the title on a coloured
card, the font size, colours and place varying per film), the title column dropped and the picture's path in a
``poster`` column instead. The recipe (``experiments/quickstart/movies_dm2s2.jsonnet``, from the data paths alone)
trains three ways, three seeds each:

  * ``text``: the title as text (the table as it is);
  * ``image``: the title only as the poster, read through OCR (``image_extraction.parts: ["ocr_text"]``: the
    column's visual modality ``poster_ocr_text``; the rest of the local backend reads nothing useful from a card);
  * ``none``: no title at all.

Plus what extraction costs: seconds per image of the local backend (all four parts, and OCR alone) with 1 and 2
worker processes on the first ``--timing-images`` posters, each into an empty cache, then the whole set's OCR
extraction (what the ``image`` runs read), and the second read of the same files (the cache reused: no image
extracted again). And how well OCR read the titles back (exact match after case and blank folding).

    .venv/bin/python benchmarks/image_columns.py [--seeds 13 14 15] [--out runs/image_columns] [--timing-images 200]

Prints a Markdown table; every number goes to ``OUT/results.json``. One job at a time on this machine: a timing
taken beside another job is not a figure.
"""
import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CONFIG = "experiments/quickstart/movies_dm2s2.jsonnet"
SPLITS = ("train", "dev", "test")
OCR_ONLY = {"parts": ["ocr_text"]}
ENV = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", PYTHONWARNINGS="ignore::FutureWarning")


def render(title: str, path: Path, rng: random.Random) -> None:
    """The title on a coloured card, wrapped to its width, like a poster or an ad creative."""
    import textwrap

    import matplotlib
    from PIL import Image, ImageDraw, ImageFont

    backgrounds = [(20, 30, 60), (240, 235, 220), (120, 20, 30), (30, 80, 50), (250, 250, 250), (60, 60, 70)]
    background = rng.choice(backgrounds)
    ink = (245, 245, 235) if sum(background) < 400 else (25, 25, 35)
    size = rng.choice([28, 32, 36, 40])
    font = ImageFont.truetype(matplotlib.get_data_path() + "/fonts/ttf/DejaVuSans-Bold.ttf", size)
    lines = textwrap.wrap(title, width=max(8, int(520 / (0.62 * size)))) or [""]
    image = Image.new("RGB", (600, 340), background)
    draw = ImageDraw.Draw(image)
    y = rng.randint(20, max(21, 300 - len(lines) * (size + 8)))
    for line in lines:
        draw.text((rng.randint(20, 50), y), line, font=font, fill=ink)
        y += size + 8
    image.save(path)


def write_variants(out: Path, seed: int = 13) -> Dict[str, Dict[str, str]]:
    """The demo's split as three JSONL tables (text / image / none) and the posters; their paths."""
    from dm2s2_allennlp.demo import build_movies

    source = build_movies(str(out / "source"), seed=seed)
    posters = out / "image" / "posters"
    posters.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths: Dict[str, Dict[str, str]] = {"text": {}, "image": {}, "none": {}}
    for split in SPLITS:
        records = [json.loads(line) for line in open(source[split], encoding="utf-8") if line.strip()]
        for variant in paths:
            (out / variant).mkdir(parents=True, exist_ok=True)
        files = {variant: open(out / variant / f"{split}.jsonl", "w", encoding="utf-8") for variant in paths}
        for record in records:
            title = record["modalities"]["title"]
            poster = posters / f"{record['id']}.png"
            if not poster.exists():
                render(title, poster, rng)
            files["text"].write(json.dumps(record) + "\n")
            rest = {k: v for k, v in record["modalities"].items() if k != "title"}
            files["none"].write(json.dumps({**record, "modalities": rest}) + "\n")
            files["image"].write(json.dumps({**record, "modalities": {"poster": f"posters/{poster.name}", **rest}})
                                 + "\n")
        for variant, handle in files.items():
            handle.close()
            paths[variant][split] = str(out / variant / f"{split}.jsonl")
    return paths


def reader(cache: Path, workers: int, parts=None):
    from dm2s2_allennlp.dataset_readers import MultimodalTableReader
    from dm2s2_allennlp.encoder_names import EMBEDDED_ENCODER

    extraction = {"cache_dir": str(cache), "workers": workers, "progress": False, **({"parts": parts} if parts else {})}
    return MultimodalTableReader(transformer_model_name=EMBEDDED_ENCODER, image_extraction=extraction)


def extraction_seconds(poster_dir: Path, count: int, out: Path) -> List[Dict]:
    """Seconds per image of a fresh extraction of the first ``count`` posters: all parts and OCR alone, 1 and 2
    workers, each into an empty cache."""
    from dm2s2_allennlp.vision.feature_cache import content_key

    images = sorted(poster_dir.glob("*.png"))[:count]
    keys = {content_key(str(p)): str(p) for p in images}
    rows = []
    for parts in (None, ["ocr_text"]):
        for workers in (1, 2):
            cache = out / f"timing_cache_{'ocr' if parts else 'all'}_{workers}"
            shutil.rmtree(cache, ignore_errors=True)
            extraction = reader(cache, workers, parts).extraction
            start = time.perf_counter()
            summary = extraction.cache.fill(keys, workers, progress=False)
            seconds = time.perf_counter() - start
            rows.append({"parts": "ocr_text" if parts else "all four", "workers": workers, "images": len(keys),
                         "extracted": summary["extracted"], "failed": summary["failed"], "seconds": round(seconds, 1),
                         "seconds_per_image": round(seconds / len(keys), 3)})
            print(json.dumps(rows[-1]), flush=True)
            shutil.rmtree(cache, ignore_errors=True)
    return rows


def prepare_all(paths: Dict[str, str], cache: Path, workers: int) -> Dict:
    """The image tables' posters into the cache (OCR), then the same again: seconds and counts of each pass."""
    passes = []
    for attempt in ("first", "second"):
        r = reader(cache, workers, OCR_ONLY["parts"])
        r.extraction.progress = attempt == "first"
        r.infer_from(paths["train"])  # what `dm2s2 train` does first: the image column detected
        before = len(list(r.extraction.cache.keys()))
        start = time.perf_counter()
        for split in SPLITS:
            r.prepare(paths[split])
        seconds = time.perf_counter() - start
        after = len(list(r.extraction.cache.keys()))
        passes.append({"pass": attempt, "seconds": round(seconds, 1), "extracted": after - before,
                       "cached_images": after})
        print(json.dumps(passes[-1]), flush=True)
    return {"passes": passes}


def ocr_agreement(paths: Dict[str, str], text_paths: Dict[str, str], cache: Path) -> Dict:
    """How often OCR read the title back exactly (case and blanks folded), on the test split."""
    r = reader(cache, 1, OCR_ONLY["parts"])
    titles = {json.loads(line)["id"]: json.loads(line)["modalities"]["title"]
              for line in open(text_paths["test"], encoding="utf-8") if line.strip()}
    fold = lambda s: " ".join(str(s or "").lower().split())  # noqa: E731
    read = {i["metadata"]["id"]: i["metadata"]["modality_texts"]["poster_ocr_text"] for i in r.read(paths["test"])}
    exact = sum(fold(read[k]) == fold(titles[k]) for k in titles)
    empty = sum(not read[k] for k in titles)
    return {"test_titles": len(titles), "read_exactly": exact, "read_nothing": empty,
            "exact_share": round(exact / len(titles), 4)}


def train(variant: str, paths: Dict[str, str], seed: int, run: Path, cache: Path) -> Dict:
    result_file = run / "result.json"
    if result_file.exists():
        return json.loads(result_file.read_text())
    overrides = {"train_data_path": paths["train"], "validation_data_path": paths["dev"],
                 "test_data_path": paths["test"], "evaluate_on_test": True,
                 "random_seed": seed, "numpy_seed": seed, "pytorch_seed": seed}
    if variant == "image":
        overrides["dataset_reader.image_extraction"] = {**OCR_ONLY, "cache_dir": str(cache / "visual")}
    run.mkdir(parents=True, exist_ok=True)
    env = dict(ENV, DM2S2_CACHE_DIR=str(cache / "encoder"))
    start = time.perf_counter()
    with open(run / "train.log", "w", encoding="utf-8") as log:
        done = subprocess.run([sys.executable, "-m", "dm2s2_allennlp", "train", CONFIG, "-s", str(run / "out"), "-o",
                               json.dumps(overrides), "--force"], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise RuntimeError(f"{variant} seed {seed} failed; see {run / 'train.log'}")
    metrics = json.loads((run / "out" / "metrics.json").read_text())
    config = json.loads((run / "out" / "config.json").read_text())["dataset_reader"]
    result = {"seconds": round(time.perf_counter() - start, 1), "modalities": config["modalities"],
              **{k: metrics[k] for k in ("test_f1_micro", "test_f1_macro", "best_validation_f1_micro")}}
    for heavy in list((run / "out").glob("*.th")) + list((run / "out").glob("model.tar.gz")):
        heavy.unlink()
    result_file.write_text(json.dumps(result, indent=1))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 14, 15])
    parser.add_argument("--out", default="runs/image_columns")
    parser.add_argument("--timing-images", type=int, default=200)
    parser.add_argument("--timing-only", action="store_true", help="only the seconds per image (JSON lines)")
    args = parser.parse_args()
    out = (ROOT / args.out).resolve()
    paths = write_variants(out)
    if args.timing_only:
        extraction_seconds(out / "image" / "posters", args.timing_images, out)
        return
    cache = out / "cache"
    results: Dict = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.processor() or ''}",
                     "python": platform.python_version()}
    results["extraction"] = extraction_seconds(out / "image" / "posters", args.timing_images, out)
    results["whole_set"] = prepare_all(paths["image"], cache / "visual", workers=2)
    results["ocr"] = ocr_agreement(paths["image"], paths["text"], cache / "visual")
    print(json.dumps(results["ocr"]), flush=True)
    runs: Dict[str, List[Dict]] = {}
    for variant in ("text", "image", "none"):
        for seed in args.seeds:
            runs.setdefault(variant, []).append(train(variant, paths[variant], seed, out / variant / f"seed_{seed}",
                                                      cache))
            print(variant, seed, json.dumps(runs[variant][-1]), flush=True)
    results["runs"] = runs
    (out / "results.json").write_text(json.dumps(results, indent=1))
    print("\n| title given as | modalities | test F1-micro | test F1-macro | train s (first / later) |")
    print("|---|---|---:|---:|---:|")
    for variant, rows in runs.items():
        cell = lambda key: (f"{statistics.mean(r[key] for r in rows):.4f} ± "  # noqa: E731
                            f"{statistics.stdev(r[key] for r in rows) if len(rows) > 1 else 0:.4f}")
        seconds = [r["seconds"] for r in rows]
        print(f"| {variant} | {len(rows[0]['modalities'])} | {cell('test_f1_micro')} | {cell('test_f1_macro')} | "
              f"{seconds[0]:.0f} / {statistics.mean(seconds[1:] or seconds):.0f} |")


if __name__ == "__main__":
    main()
