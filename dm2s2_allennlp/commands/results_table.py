"""``allennlp results-table ROW=RUN[,RUN...] ... --metrics M ...``: one Markdown or CSV table shaped like the
paper's tables (rows = variants, columns = metrics), from the metrics files of finished runs.

Each ``RUN`` is a run directory or a metrics file:
  * a directory with ``metrics_cv.json`` (``allennlp cross-validate``): the per-fold values;
  * a directory with ``metrics.json`` (``allennlp train``), or a metrics file itself: ``test_<m>`` if present,
    else ``best_validation_<m>``, else ``<m>`` (the output of ``allennlp evaluate``).
A row with several runs (seeds) or folds shows ``mean ± std`` (sample std, ddof = 1) over them. ``--percent``
multiplies by 100 (Tables 1-3, 5, 6); ``--relative-to ROW`` divides every row's mean by that row's mean, as Table 4
reports every model relative to LightGBM.
"""
import argparse
import csv
import io
import json
import os
from typing import Dict, List, Optional, Sequence, Tuple

from allennlp.commands.subcommand import Subcommand

from dm2s2_allennlp.commands.cross_validate import mean_std


def run_values(path: str, metric: str) -> List[float]:
    """The values one run contributes for ``metric`` (one per fold for a cross-validation)."""
    if os.path.isdir(path):
        cv = os.path.join(path, "metrics_cv.json")
        if os.path.exists(cv):
            with open(cv, encoding="utf-8") as handle:
                entry = json.load(handle)["metrics"].get(metric)
            if entry is None:
                raise KeyError(f"{cv} has no metric {metric!r}")
            return [float(v) for v in entry["folds"]]
        path = os.path.join(path, "metrics.json")
    with open(path, encoding="utf-8") as handle:
        metrics = json.load(handle)
    for key in (f"test_{metric}", f"best_validation_{metric}", metric):
        if key in metrics:
            return [float(metrics[key])]
    raise KeyError(f"{path} has no {metric!r} (looked for test_, best_validation_ and plain)")


def collect(rows: Sequence[Tuple[str, List[str]]], metrics: Sequence[str]) -> Dict[str, Dict[str, Dict[str, float]]]:
    table = {}
    for name, runs in rows:
        table[name] = {}
        for metric in metrics:
            values = [v for run in runs for v in run_values(run, metric)]
            table[name][metric] = {**mean_std(values), "n": len(values)}
    return table


def render(table, metrics: Sequence[str], fmt: str = "markdown", percent: bool = False,
           relative_to: Optional[str] = None, digits: int = 2) -> str:
    scale = 100.0 if percent else 1.0
    if relative_to is not None and relative_to not in table:
        raise KeyError(f"--relative-to {relative_to!r} is not a row ({sorted(table)})")
    cells: List[List[str]] = []
    for name, row in table.items():
        line = [name]
        for metric in metrics:
            mean, std, n = row[metric]["mean"], row[metric]["std"], row[metric]["n"]
            if relative_to is not None:
                base = table[relative_to][metric]["mean"]
                mean, std = mean / base, std / abs(base)
                text = f"{mean:.4f}"
            else:
                text = f"{mean * scale:.{digits}f}"
                std = std * scale
            if n > 1:
                text += f" ± {std:.{digits if relative_to is None else 4}f}"
            line.append(text)
        cells.append(line)
    header = ["model"] + list(metrics)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(cells)
        return out.getvalue()
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * len(metrics)) + "|"]
    lines += ["| " + " | ".join(line) + " |" for line in cells]
    return "\n".join(lines) + "\n"


def parse_rows(specs: Sequence[str]) -> List[Tuple[str, List[str]]]:
    rows = []
    for spec in specs:
        name, sep, runs = spec.partition("=")
        if not sep or not runs:
            raise ValueError(f"a row is NAME=RUN[,RUN...], got {spec!r}")
        rows.append((name, runs.split(",")))
    return rows


@Subcommand.register("results-table")
class ResultsTable(Subcommand):
    def add_subparser(self, parser: argparse._SubParsersAction) -> argparse.ArgumentParser:
        description = "Collect metrics of finished runs into a paper-shaped Markdown/CSV table."
        subparser = parser.add_parser(self.name, description=description, help=description)
        subparser.add_argument("rows", nargs="+", help="NAME=RUN[,RUN...] (run dirs or metrics files)")
        subparser.add_argument("--metrics", nargs="+", required=True)
        subparser.add_argument("--format", choices=("markdown", "csv"), default="markdown")
        subparser.add_argument("--percent", action="store_true", help="multiply by 100")
        subparser.add_argument("--relative-to", default=None, help="divide by this row's means (Table 4)")
        subparser.add_argument("--digits", type=int, default=2)
        subparser.add_argument("--output", default=None, help="also write the table here")
        subparser.set_defaults(func=self.run)
        return subparser

    @staticmethod
    def run(args: argparse.Namespace) -> None:
        table = collect(parse_rows(args.rows), args.metrics)
        text = render(table, args.metrics, args.format, args.percent, args.relative_to, args.digits)
        if args.output:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
        print(text, end="")
