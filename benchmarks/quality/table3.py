"""DM2S2's Table 3 (and Tables 5-6) on the quality benchmark's data sets, from runs ``quality/run.py`` made:

    .venv/bin/python benchmarks/quality/run.py --systems dm2s2_frozen_encoder_only dm2s2_frozen_encoder_only_cls \
        dm2s2_frozen_intra_only dm2s2_frozen_inter_only dm2s2_frozen dm2s2 dm2s2_no_mra --out runs/table3
    .venv/bin/python benchmarks/quality/run.py --datasets breaches tweets --systems <the five frozen rows> \
        --out runs/table3_mpnet --extra '{"dataset_reader.transformer_model_name": "sentence-transformers/all-mpnet-base-v2",
        "model.encoder.transformer.attention_dropout": null}'
    .venv/bin/python benchmarks/quality/table3.py runs/table3 [runs/table3_mpnet]

Prints one Markdown table per run folder: a row per system, a column per data set, the test main metric's mean ±
standard deviation over the seeds found (the count shown where it is not 3), the best row of each of the four Table 3
rows in bold. Which data sets and systems it shows is what the folder holds.
"""
import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from real_data import SPECS  # noqa: E402

ROWS = [  # (system, what the paper's Table 3 / 5 / 6 calls it)
    ("dm2s2_frozen_encoder_only", "encoder only, mean pooling"),
    ("dm2s2_frozen_encoder_only_cls", "encoder only, [CLS] pooling"),
    ("dm2s2_frozen_intra_only", "+ IntraMRA"),
    ("dm2s2_frozen_inter_only", "+ InterMRA"),
    ("dm2s2_frozen", "+ IntraMRA + InterMRA (DM2S2)"),
    ("dm2s2_frozen_scaled_dot", "DM2S2, scaled dot-product similarity (Table 5)"),
    ("dm2s2_frozen_no_residual", "DM2S2 without the residuals (Table 6)"),
    ("dm2s2_no_mra", "the recipe without the MRAs"),
    ("dm2s2", "the recipe"),
]
TABLE3 = [system for system, _ in ROWS[:5]]


def collect(folder: Path):
    found = {}
    for result in folder.glob("*/*/seed_*/result.json"):
        name, system = result.parts[-4], result.parts[-3]
        if name in SPECS:
            found.setdefault(name, {}).setdefault(system, []).append(json.loads(result.read_text()))
    return found


def cell(runs, spec):
    metric = spec.main[0]
    values = [r[f"test_{metric}"] for r in runs if f"test_{metric}" in r]
    if not values:
        return None, ""
    mean = statistics.mean(values)
    text = f"{mean:.4f} ± {statistics.stdev(values):.4f}" if len(values) > 1 else f"{mean:.4f}"
    return mean, text + ("" if len(values) == 3 else f" ({len(values)} seeds)")


def table(folder: Path) -> str:
    found = collect(folder)
    names = [name for name in SPECS if name in found]
    lines = ["| system | " + " | ".join(f"{n} ({SPECS[n].main[0]} {'↓' if SPECS[n].validation_metric.startswith('-') else '↑'})"
                                         for n in names) + " |",
             "|---|" + "---:|" * len(names)]
    best = {}
    for name in names:
        spec = SPECS[name]
        means = {s: cell(found[name].get(s, []), spec)[0] for s in TABLE3}
        means = {s: m for s, m in means.items() if m is not None}
        if means:
            pick = min if spec.validation_metric.startswith("-") else max
            best[name] = pick(means, key=means.get)
    for system, label in ROWS:
        if not any(system in found[name] for name in names):
            continue
        cells = []
        for name in names:
            _, text = cell(found[name].get(system, []), SPECS[name])
            cells.append(f"**{text}**" if best.get(name) == system and text else text)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print(f"\n{argument}:\n")
        print(table(Path(argument)))
