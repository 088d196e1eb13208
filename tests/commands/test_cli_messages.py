"""What a person at the terminal sees when something is wrong (issue 26): one short message naming file, line and
field from `dm2s2` (the traceback only with DM2S2_DEBUG=1); `evaluate` and `erase-modalities` on an unlabeled file
and a misspelt `--metrics` say so before any work; `dm2s2 predict` keeps the good lines of a file with one line that
is not UTF-8; all-equal regression targets are reported."""
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from allennlp.common.checks import ConfigurationError

from dm2s2_allennlp.commands.erase_modalities import erase_modalities
from dm2s2_allennlp.errors import DataError
from tests.conftest import FIXTURES, ROOT, make_model

DM2S2 = str(Path(sys.executable).parent / "dm2s2")
UNLABELED = str(FIXTURES / "generic" / "unlabeled.jsonl")


def dm2s2(*args, env=None):
    environment = {k: v for k, v in os.environ.items() if k != "DM2S2_DEBUG"}
    environment.update(HF_HUB_OFFLINE="1", **(env or {}))
    return subprocess.run([DM2S2, *args], cwd=ROOT, env=environment, capture_output=True, text=True)


def test_a_data_error_is_one_short_message_and_the_traceback_needs_debug(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "modalities": {"title": "x"}, "label": ["A"]}\nnot json\n', encoding="utf-8")
    overrides = json.dumps({"train_data_path": str(bad), "validation_data_path": str(bad)})
    result = dm2s2("train", "fixtures/configs/multilabel.jsonnet", "-s", str(tmp_path / "run"), "-o", overrides)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"dm2s2: {bad}:2: malformed JSON" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("(set DM2S2_DEBUG=1")
    debug = dm2s2("train", "fixtures/configs/multilabel.jsonnet", "-s", str(tmp_path / "run2"), "-o", overrides,
                  env={"DM2S2_DEBUG": "1"})
    assert debug.returncode != 0 and "Traceback" in debug.stderr and f"{bad}:2: malformed JSON" in debug.stderr


def test_evaluate_on_an_unlabeled_file_says_it_has_no_labels(multilabel_archive):
    result = dm2s2("evaluate", str(multilabel_archive / "model.tar.gz"), UNLABELED)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "no record has a label" in result.stderr and "never called this metric" not in result.stderr


def test_erase_modalities_refuses_an_unlabeled_file_and_a_misspelt_metric_before_the_erasures(
        multilabel_archive, tmp_path):
    archive = str(multilabel_archive / "model.tar.gz")
    with pytest.raises(DataError, match=r"unlabeled.jsonl: field 'label': 2 of 2 records have no label"):
        erase_modalities(archive, UNLABELED, str(tmp_path / "a"))
    with pytest.raises(ConfigurationError, match=r"--metrics: \['f1'\] .* the model reports"):
        erase_modalities(archive, str(FIXTURES / "generic" / "multilabel.jsonl"), str(tmp_path / "b"),
                         metrics=["f1_micro", "f1"])
    assert not (tmp_path / "b").exists()  # nothing half-written


def test_dm2s2_predict_keeps_the_good_lines_of_a_file_with_one_latin1_line(multilabel_archive, tmp_path):
    data = tmp_path / "mixed.jsonl"
    good = [json.dumps({"id": f"g{i}", "modalities": {"title": "Heat", "year": 1995}}).encode() for i in range(2)]
    latin1 = '{"id": "bad", "modalities": {"title": "Am\xe9lie"}}'.encode("latin-1")
    data.write_bytes(b"\n".join([good[0], latin1, good[1]]) + b"\n")
    out = tmp_path / "out.jsonl"
    result = dm2s2("predict", str(multilabel_archive / "model.tar.gz"), str(data), "--output-file", str(out),
                   "--silent")
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line.get("id") for line in lines] == ["g0", None, "g1"] and "labels" in lines[2]
    assert f"not UTF-8 text at line 2 of {data} (byte 0xe9, column 42)" in lines[1]["error"]


def test_all_equal_regression_targets_are_reported(caplog):
    from allennlp.data import Vocabulary

    from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader

    reader = MultimodalJsonlReader(modalities=["title"], task="regression",
                                   transformer_model_name="fixtures/encoders/tiny-bert")
    instances = [reader.text_to_instance({"title": f"film {i}"}, label=3.3) for i in range(4)]
    model = make_model("dm2s2", Vocabulary.from_instances(instances), ["title"], task="regression")
    with caplog.at_level(logging.WARNING):
        model.set_data_statistics(model.data_statistics(instances))
    assert any("every one of the 4 training targets is 3.3" in r.getMessage() for r in caplog.records)
    assert float(model.head.target_std) == 1.0
