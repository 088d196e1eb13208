"""The README as a newcomer uses it: every command in its ```bash blocks runs or parses as written (make targets as a
dry run, `dm2s2`/`allennlp` commands through AllenNLP's own argument parser with their config and overrides
evaluated, pip commands through pip's parser, the install check run), its JSON record reads, its jsonnet model
block builds a model, and it stays a guide (at most 300 lines, every local link points at a file)."""
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
from allennlp.common import Params

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SHELL_ONLY = {("python3.11", "-m", "venv")}  # shell set-up: checked by `bash -n` only


def blocks(language: str) -> List[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def commands() -> List[List[str]]:
    found = []
    for block in blocks("bash"):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words:
                found.append(words)
    return found


def parse_allennlp(words: List[str], monkeypatch) -> None:
    """Parse ``words`` as the console script would; for training commands also evaluate the config with its
    ``-o`` overrides, as AllenNLP does before it trains."""
    from allennlp.commands import parse_args

    monkeypatch.setattr(sys, "argv", words)
    try:
        _, args = parse_args(prog=words[0])
    except SystemExit as exit:
        raise AssertionError(f"AllenNLP's parser refuses {shlex.join(words)} (exit {exit.code})") from None
    if hasattr(args, "param_path"):
        assert (ROOT / args.param_path).exists(), args.param_path
        Params.from_file(args.param_path, getattr(args, "overrides", "") or "")


def parse_pip(words: List[str]) -> None:
    from pip._internal.commands import create_command

    command = create_command(words[1])
    options, _ = command.parse_args(words[2:])
    for constraint in getattr(options, "constraints", []):
        assert (ROOT / constraint).exists(), constraint


def test_the_readme_is_a_guide_of_at_most_300_lines_whose_links_resolve():
    assert len(README.splitlines()) <= 300
    for target in re.findall(r"\]\(([^)#:]+)\)", README):
        assert (ROOT / target).exists(), f"README links to {target}, which is not in the repository"


def test_every_command_in_the_readme_runs_or_parses_as_written(monkeypatch):
    for block in blocks("bash"):
        subprocess.run(["bash", "-n"], input=block, text=True, check=True)
    seen = set()
    for words in commands():
        program = Path(words[0]).name
        seen.add(program)
        if tuple(words[:3]) in SHELL_ONLY:
            continue
        if program == "make":
            result = subprocess.run(["make", "-n", *words[1:]], cwd=ROOT, capture_output=True, text=True)
            assert result.returncode == 0, result.stderr
        elif program in ("dm2s2", "allennlp"):
            parse_allennlp(words, monkeypatch)
        elif program == "pip":
            parse_pip(words)
        elif program == "python" and words[1:3] == ["-m", "dm2s2_allennlp.stack_check"]:
            result = subprocess.run([sys.executable, *words[1:]], cwd=ROOT, capture_output=True, text=True)
            assert result.returncode == 0 and "stack ok" in result.stdout, result.stdout + result.stderr
        else:
            pytest.fail(f"the README shows a command this test cannot check: {shlex.join(words)}")
    assert {"make", "dm2s2", "pip", "python"} <= seen  # the blocks were found and read


def test_the_readme_record_reads_with_the_generic_reader(tmp_path):
    from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader

    (record,) = [json.loads(block) for block in blocks("json")]
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    reader = MultimodalJsonlReader(modalities=list(record["modalities"]), task="multilabel",
                                   transformer_model_name="fixtures/encoders/tiny-bert")
    (instance,) = reader.read(str(path))
    assert instance["metadata"]["modality_texts"]["labels"] == "Toy, Cartoon"


def test_the_readme_model_block_builds_a_model():
    import _jsonnet
    from allennlp.data import Vocabulary
    from allennlp.models import Model

    from allennlp.data import DatasetReader

    (block,) = blocks("jsonnet")
    config = json.loads(_jsonnet.evaluate_snippet("README", "{" + block + "}"))
    reader = DatasetReader.from_params(Params(config["dataset_reader"]))
    instances = list(reader.read(str(ROOT / "fixtures" / "generic" / "multilabel.jsonl")))
    vocab = Vocabulary.from_instances(instances)
    model = Model.from_params(vocab=vocab, params=Params(config["model"]))
    assert model.encoder.get_output_dim() == 384 and model.encoder.cache is not None
    assert model.modalities == reader.modalities and model.encoder.transformer.max_length == 128
    assert model.head.task == "multilabel" and model.head.num_outputs == vocab.get_vocab_size("labels")
