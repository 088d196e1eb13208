"""Which fields carry a data set's signal: the TF-IDF peer (``tfidf.py``) trained on subsets of the modalities, on
the benchmark's own split. Prints one JSON line per subset (the test metrics of ``tfidf.py``).

    .venv/bin/python benchmarks/quality/tfidf_fields.py companies --fields name --fields sales,profits,assets \\
        [--out runs/quality]

Each ``--fields`` is one comma-separated subset; all of the data set's modalities are always run last, for reference.
Used for the README's explanation of where the recipe loses (companies: the name alone and the figures alone each
score far below both together).
"""
import argparse
import dataclasses
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from real_data import SPECS, write  # noqa: E402
from tfidf import run_tfidf  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", choices=list(SPECS))
    parser.add_argument("--fields", action="append", default=[], help="comma-separated modalities; repeatable")
    parser.add_argument("--out", default=str(HERE.parents[1] / "runs" / "quality"))
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    spec = SPECS[args.dataset]
    subsets = [[name.strip() for name in fields.split(",") if name.strip()] for fields in args.fields]
    for subset in subsets:
        unknown = sorted(set(subset) - set(spec.modalities))
        if unknown or not subset:
            parser.error(f"--fields {','.join(subset)}: not modalities of {spec.name} ({', '.join(spec.modalities)})")
    paths = write(spec, Path(args.out) / "data" / spec.name)
    for subset in subsets + [list(spec.modalities)]:
        metrics = run_tfidf(dataclasses.replace(spec, modalities=subset), paths, args.seed)
        print(json.dumps({"dataset": spec.name, "fields": subset,
                          **{k: round(v, 4) for k, v in metrics.items() if k.startswith("test_")}}), flush=True)


if __name__ == "__main__":
    main()
