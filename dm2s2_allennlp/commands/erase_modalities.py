"""``allennlp erase-modalities ARCHIVE DATA -o OUT``: the paper's Fig. 2 - evaluate with each modality erased in turn
and report how every metric changes.

Erasing modality m replaces, in every record, m's token sequence with the empty sequence and its numeric feature with
none (exactly what a missing modality is), leaving every other field untouched; the records are read once with the archive's reader. Outputs:
``OUT/erasure.json`` (the full-input metrics, the metrics with each modality erased, and the change erased - full per
metric), ``OUT/erasure.md`` (a Markdown table, rows = modalities, columns = metric changes) and ``OUT/erasure.png``
(a bar chart per metric, as Fig. 2).
"""
import argparse
import json
import os
from typing import Any, Dict, List, Optional, Sequence

from allennlp.commands.subcommand import Subcommand
from allennlp.common.checks import ConfigurationError
from allennlp.data import Instance
from allennlp.data.data_loaders import SimpleDataLoader
from allennlp.data.fields import ListField, TensorField, TextField

from dm2s2_allennlp.commands.archive_subparser import add_archive_subparser
from dm2s2_allennlp.errors import DataError


def erase(instance: Instance, index: int) -> Instance:
    """A new instance with ``instance``'s fields, except that modality ``index`` is missing: the empty sequence, and
    no number (a count such as an image's ``num_faces`` is also a numeric feature)."""
    fields = list(instance["modalities"].field_list)
    fields[index] = TextField([], fields[index].token_indexers)
    erased = {**instance.fields, "modalities": ListField(fields)}
    if "numbers" in instance.fields:
        numbers = instance["numbers"].tensor.clone()
        numbers[index] = 0.0
        erased["numbers"] = TensorField(numbers)
    return Instance(erased)


def evaluate(model, instances: Sequence[Instance], cuda_device: int = -1, batch_size: int = 64) -> Dict[str, float]:
    """AllenNLP's own evaluation loop over ``instances``; the metrics without the loss."""
    from allennlp.training.util import evaluate as allennlp_evaluate

    loader = SimpleDataLoader(list(instances), batch_size, vocab=model.vocab)
    metrics = allennlp_evaluate(model, loader, cuda_device)
    return {k: float(v) for k, v in metrics.items() if k != "loss"}


def markdown(result: Dict[str, Any], metrics: List[str]) -> str:
    lines = ["| erased modality | " + " | ".join(f"Δ {m}" for m in metrics) + " |",
             "|---|" + "---:|" * len(metrics)]
    for name, change in result["change"].items():
        lines.append(f"| {name} | " + " | ".join(f"{change[m]:+.4f}" for m in metrics) + " |")
    return "\n".join(lines) + "\n"


def bar_chart(result: Dict[str, Any], metrics: List[str], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(result["change"])
    figure, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics) + 1, 0.45 * len(names) + 1.5),
                                sharey=True, squeeze=False)
    for axis, metric in zip(axes[0], metrics):
        values = [result["change"][n][metric] for n in names]
        axis.barh(names, values, color=["#d9534f" if v < 0 else "#5cb85c" for v in values])
        axis.axvline(0, color="black", linewidth=0.8)
        axis.set_title(f"Δ {metric}")
        for y, v in enumerate(values):
            axis.annotate(f"{v:+.3f}", (v, y), fontsize=8, va="center", ha="left" if v >= 0 else "right")
    axes[0][0].invert_yaxis()
    figure.suptitle("Change when one modality is erased")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def erase_modalities(archive_file: str, data_file: str, output_dir: str, cuda_device: int = -1,
                     metrics: Optional[List[str]] = None) -> Dict[str, Any]:
    from allennlp.models.archival import load_archive

    archive = load_archive(archive_file, cuda_device=cuda_device)
    reader = archive.validation_dataset_reader
    instances = list(reader.read(data_file))
    unlabeled = sum("label" not in instance for instance in instances)
    if unlabeled:
        raise DataError(data_file, "label", f"{unlabeled} of {len(instances)} records have no label: erasing "
                                            "modalities measures how the metrics change, which needs labeled records "
                                            "(`predict` explains unlabeled ones)")
    names = instances[0]["metadata"]["modality_names"]
    full = evaluate(archive.model, instances, cuda_device)
    unknown = [m for m in metrics or [] if m not in full]
    if unknown:
        raise ConfigurationError(f"--metrics: {unknown} are not among the metrics the model reports: {sorted(full)}")
    erased = {name: evaluate(archive.model, [erase(i, index) for i in instances], cuda_device)
              for index, name in enumerate(names)}
    chosen = metrics or [m for m in full if not m.startswith("mape_excluded")]
    result = {"archive": archive_file, "data": data_file, "records": len(instances), "shown": chosen, "full": full,
              "erased": erased, "change": {n: {m: erased[n][m] - full[m] for m in full} for n in names}}
    os.makedirs(output_dir, exist_ok=True)
    with open(os.path.join(output_dir, "erasure.json"), "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)
    with open(os.path.join(output_dir, "erasure.md"), "w", encoding="utf-8") as handle:
        handle.write(markdown(result, chosen))
    bar_chart(result, chosen, os.path.join(output_dir, "erasure.png"))
    return result


@Subcommand.register("erase-modalities")
class EraseModalities(Subcommand):
    def add_subparser(self, parser: argparse._SubParsersAction) -> argparse.ArgumentParser:
        description = "Evaluate with each modality erased in turn (the paper's Fig. 2): JSON, Markdown, bar chart."
        subparser = add_archive_subparser(parser, self.name, description)
        subparser.add_argument("--metrics", nargs="*", default=None, help="metrics in the table and chart")
        subparser.set_defaults(func=self.run)
        return subparser

    @staticmethod
    def run(args: argparse.Namespace) -> None:
        result = erase_modalities(args.archive_file, args.data_file, args.output_dir, args.cuda_device, args.metrics)
        print(markdown(result, result["shown"]), end="")
