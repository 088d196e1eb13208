"""``allennlp explain ARCHIVE INPUT -o OUT``: the paper's Fig. 3 for every record of INPUT, as one self-contained HTML
page (``OUT/explanations.html``, no network assets) and, where a headless Chromium is installed, a PNG screenshot
of it (``OUT/explanations.png``).

Layout per record: the record id, the ground truth and the prediction on top; below, one row per modality: the
modality name shaded by its InterMRA weight (darkest = the most weighted modality of that record) and each word shaded
by its IntraMRA weight relative to the heaviest word of its modality (sub-words merged, ``word_alignment``); the exact
weights are in each element's tooltip. INPUT is read with the archive's own dataset reader, so it is a file in that
reader's format (generic JSONL, an MM-IMDB path with ``#split``, the Ads-Parallelity CSV, Ad-LP JSONL).
"""
import argparse
import html
import json
import logging
import os
import shutil
import subprocess
import tempfile
from typing import Any, Dict, List, Optional

from allennlp.commands.subcommand import Subcommand

from dm2s2_allennlp.commands.archive_subparser import add_archive_subparser

logger = logging.getLogger(__name__)

STYLE = """
body { font-family: sans-serif; margin: 24px; color: #111; background: #fff; }
.record { border: 1px solid #bbb; border-radius: 6px; padding: 12px 16px; margin-bottom: 20px; max-width: 1100px; }
.head { margin-bottom: 8px; } .head b { display: inline-block; min-width: 90px; }
table { border-collapse: collapse; width: 100%; }
td { border-top: 1px solid #ddd; padding: 6px 8px; vertical-align: top; line-height: 1.9; }
td.modality { width: 150px; font-weight: bold; white-space: nowrap; }
span.word { padding: 1px 2px; margin: 0 1px; border-radius: 3px; }
td.missing { color: #888; font-style: italic; }
"""


def shade(value: float, rgb: str) -> str:
    return f"background: rgba({rgb}, {max(0.0, min(1.0, value)):.3f})"


def label_text(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


def record_html(explanation: Dict[str, Any]) -> str:
    inter = explanation["inter_weights"]
    top = max(inter.values()) if inter and max(inter.values()) > 0 else 1.0
    if "labels" in explanation:
        predicted = explanation["labels"]
    elif "label" in explanation:
        predicted = explanation["label"]
    else:
        predicted = round(float(explanation["prediction"]), 6)
    rows = []
    for name, words in explanation["intra_weights"].items():
        weight = inter.get(name, 0.0)
        title = html.escape(f"{name}: InterMRA weight {weight:.4f}")
        name_cell = f'<td class="modality" style="{shade(weight / top, "255, 140, 0")}" title="{title}">' \
                    f'{html.escape(name)}</td>'
        if not words:
            rows.append(f'<tr>{name_cell}<td class="missing">(missing)</td></tr>')
            continue
        heaviest = max(w for _, w in words) or 1.0
        spans = " ".join(
            f'<span class="word" style="{shade(w / heaviest, "30, 120, 255")}" '
            f'title="{html.escape(f"IntraMRA weight {w:.4f}")}">{html.escape(word)}</span>' for word, w in words)
        rows.append(f"<tr>{name_cell}<td>{spans}</td></tr>")
    return (f'<div class="record"><div class="head"><b>record</b> {html.escape(str(explanation.get("id")))}</div>'
            f'<div class="head"><b>truth</b> {html.escape(label_text(explanation.get("gold")))}</div>'
            f'<div class="head"><b>prediction</b> {html.escape(label_text(predicted))}</div>'
            f'<table>{"".join(rows)}</table></div>')


def page(explanations: List[Dict[str, Any]]) -> str:
    body = "\n".join(record_html(e) for e in explanations)
    legend = ("<p>Modality names are shaded (orange) by their InterMRA weight, words (blue) by their IntraMRA "
              "weight within the modality; hover for the numbers.</p>")
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>DM2S2 explanations</title>'
            f"<style>{STYLE}</style></head><body><h1>DM2S2 explanations</h1>{legend}\n{body}\n</body></html>\n")


def find_chromium() -> Optional[str]:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(html_path: str, png_path: str, width: int = 1200, height: int = 1600) -> bool:
    """Render the page in headless Chromium; False when no Chromium is installed."""
    browser = find_chromium()
    if browser is None:
        logger.warning("no chromium on PATH: wrote the HTML page only (install Debian's chromium for the PNG)")
        return False
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", f"--window-size={width},{height}",
                        f"--screenshot={os.path.abspath(png_path)}", f"file://{os.path.abspath(html_path)}"],
                       check=True, capture_output=True, timeout=120)
    return os.path.exists(png_path)


def explain(archive_file: str, input_file: str, output_dir: str, cuda_device: int = -1,
            max_records: Optional[int] = None) -> Dict[str, Any]:
    from allennlp.models.archival import load_archive
    from allennlp.predictors import Predictor

    writable_folder(output_dir)
    archive = load_archive(archive_file, cuda_device=cuda_device)
    check_explainable(archive.model)
    predictor = Predictor.from_archive(archive, "dm2s2")
    instances = []
    for instance in archive.validation_dataset_reader.read(input_file):
        instances.append(instance)
        if max_records is not None and len(instances) >= max_records:
            break
    return explain_instances(predictor, instances, output_dir)


def writable_folder(path: str) -> None:
    """``path`` is (made) a folder this process can write, checked before any record is predicted."""
    from allennlp.common.checks import ConfigurationError

    if os.path.exists(path) and not os.path.isdir(path):
        raise ConfigurationError(f"-o {path} is a file: name a folder for the explanations")
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        raise ConfigurationError(f"-o {path}: cannot write there ({error.strerror})") from None


def check_explainable(model) -> None:
    from dm2s2_allennlp.models import DM2S2

    if not isinstance(model, DM2S2):
        raise ValueError(f"`explain` draws DM2S2's IntraMRA/InterMRA weights, and this model is a "
                         f"{type(model).__name__}; `allennlp predict` shows the per-modality outputs it has "
                         "(modality_weights / modality_importance)")


def explain_instances(predictor, instances: List[Any], output_dir: str) -> Dict[str, Any]:
    """Fig. 3 for ``instances`` through a ``dm2s2`` predictor of a DM2S2 model (the callers check both, and the
    folder, before any work: ``check_explainable``, ``writable_folder``): ``explanations.html``, ``.jsonl`` and (with
    headless Chromium) ``.png`` in ``output_dir``; returns their paths and the number of records."""
    explanations = [predictor.predict_instance(instance) for instance in instances]
    html_path = os.path.join(output_dir, "explanations.html")
    with open(html_path, "w", encoding="utf-8") as handle:
        handle.write(page(explanations))
    jsonl_path = os.path.join(output_dir, "explanations.jsonl")
    with open(jsonl_path, "w", encoding="utf-8") as handle:
        for explanation in explanations:
            handle.write(json.dumps(explanation) + "\n")
    png_path = os.path.join(output_dir, "explanations.png")
    return {"html": html_path, "jsonl": jsonl_path, "png": png_path if screenshot(html_path, png_path) else None,
            "records": len(explanations)}


@Subcommand.register("explain")
class Explain(Subcommand):
    def add_subparser(self, parser: argparse._SubParsersAction) -> argparse.ArgumentParser:
        description = "Render Fig. 3-style attention explanations (HTML + PNG) for the records of a data file."
        subparser = add_archive_subparser(parser, self.name, description)
        subparser.add_argument("--max-records", type=int, default=None)
        subparser.set_defaults(func=lambda args: print(json.dumps(explain(
            args.archive_file, args.data_file, args.output_dir, args.cuda_device, args.max_records))))
        return subparser
