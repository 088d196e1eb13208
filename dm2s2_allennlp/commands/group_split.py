"""``allennlp group-split INPUT OUT_DIR``: split a JSONL file into train / validation / test by a group field, with no
group in two splits (DM2S2 Appendix A: Ad-LP is split by ad group).

Groups are sorted, shuffled with ``random.Random(seed)`` and dealt in that order into the splits: each group goes to
the first split whose record count is still below its target (``fractions`` x total records), so the split sizes
follow the fractions as closely as whole groups allow. Default fractions are the paper's Ad-LP split
(179,922 / 45,138 / 32,175 of 257,235 records). The file is read as the readers read it (``file_checks``: a
byte-order mark, gzip, bytes that are not UTF-8 named by line) and a group's blanks around it are dropped, so
``"g-01 "`` and ``"g-01"`` are one group. scikit-learn's ``GroupShuffleSplit`` is not used: it draws a fraction of
the GROUPS, two ways, while the paper's split follows fractions of the RECORDS, three ways. Writes ``train.jsonl``, ``validation.jsonl``, ``test.jsonl`` and
``split_summary.json`` (records and groups per split).
"""
import argparse
import json
import os
import random
from collections import OrderedDict
from typing import Dict, List, Sequence

from allennlp.commands.subcommand import Subcommand

from dm2s2_allennlp.dataset_readers.file_checks import parse_json, text_lines
from dm2s2_allennlp.errors import DataError

SPLITS = ("train", "validation", "test")
PAPER_FRACTIONS = (179922 / 257235, 45138 / 257235, 32175 / 257235)


def assign_groups(group_sizes: Dict[str, int], fractions: Sequence[float], seed: int) -> Dict[str, str]:
    if len(fractions) != 3 or any(f < 0 for f in fractions) or sum(fractions) <= 0:
        raise ValueError(f"need three non-negative fractions, got {fractions}")
    total = sum(group_sizes.values())
    targets = [f / sum(fractions) * total for f in fractions]
    groups = sorted(group_sizes)
    random.Random(seed).shuffle(groups)
    filled = [0, 0, 0]
    assignment = {}
    for group in groups:
        index = next((i for i in range(3) if filled[i] < targets[i]), 2)
        assignment[group] = SPLITS[index]
        filled[index] += group_sizes[group]
    return assignment


def group_split(input_path: str, out_dir: str, group_field: str = "ad_group_id",
                fractions: Sequence[float] = PAPER_FRACTIONS, seed: int = 13) -> Dict[str, Dict[str, int]]:
    lines: List[tuple] = []
    sizes: "OrderedDict[str, int]" = OrderedDict()
    for number, line in text_lines(input_path):
        where = f"{input_path}:{number}"
        record = parse_json(line, where)
        if not isinstance(record, dict):
            raise DataError(where, None, f"a record must be a JSON object, got {type(record).__name__}")
        group = record.get(group_field)
        group = str(group).strip() if group is not None else ""  # as the readers read ids: blanks dropped
        if not group:
            raise DataError(where, group_field, "required to split by group")
        lines.append((group, line if line.endswith("\n") else line + "\n"))
        sizes[group] = sizes.get(group, 0) + 1
    assignment = assign_groups(sizes, fractions, seed)
    os.makedirs(out_dir, exist_ok=True)
    summary = {split: {"records": 0, "groups": 0} for split in SPLITS}
    handles = {split: open(os.path.join(out_dir, f"{split}.jsonl"), "w", encoding="utf-8") for split in SPLITS}
    try:
        for group, line in lines:
            handles[assignment[group]].write(line)
            summary[assignment[group]]["records"] += 1
    finally:
        for handle in handles.values():
            handle.close()
    for split in assignment.values():
        summary[split]["groups"] += 1
    with open(os.path.join(out_dir, "split_summary.json"), "w", encoding="utf-8") as handle:
        json.dump({"input": input_path, "group_field": group_field, "fractions": list(fractions), "seed": seed,
                   "splits": summary}, handle, indent=2)
    return summary


@Subcommand.register("group-split")
class GroupSplit(Subcommand):
    def add_subparser(self, parser: argparse._SubParsersAction) -> argparse.ArgumentParser:
        description = "Split a JSONL file into train/validation/test with no group in two splits."
        subparser = parser.add_parser(self.name, description=description, help=description)
        subparser.add_argument("input", help="the JSONL file")
        subparser.add_argument("out_dir", help="where train/validation/test.jsonl go")
        subparser.add_argument("--group-field", default="ad_group_id")
        subparser.add_argument("--fractions", type=float, nargs=3, default=list(PAPER_FRACTIONS),
                               metavar=("TRAIN", "VALIDATION", "TEST"))
        subparser.add_argument("--seed", type=int, default=13)
        subparser.set_defaults(func=lambda args: print(json.dumps(
            group_split(args.input, args.out_dir, args.group_field, args.fractions, args.seed), indent=2)))
        return subparser
