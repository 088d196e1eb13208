"""The README's "Bring your own data" run end to end as a newcomer runs it on a fresh clone, before `make demo`
(issues 33, 34): an empty folder holding only what a clone holds of the configs (no data/, no runs/), the user's CSV
files in data/mine/ with an image column (rendered creatives in data/mine/posters/, one missing), then the README's
bash commands exactly as written (train, evaluate, predict) and its Python lines; the archive of each is read by the
other."""
import csv
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT
from tests.image_tables import render_text

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="the README's table has an image column, "
                                "read with Debian's tesseract-ocr (make test installs it where it can)")
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Bring your own data"):README.index("### Input rules")]
DM2S2 = str(Path(sys.executable).parent / "dm2s2")


MODALITIES = ["transcription", "message", "natural", "faces", "poster_ocr_text", "poster_labels", "poster_objects",
              "poster_num_faces"]


def write_csv(path: Path, records, labeled=True):
    path.parent.mkdir(parents=True, exist_ok=True)
    names = ["id", "transcription", "message", "natural", "faces", "poster"] + (["label"] if labeled else [])
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for r in records:
            row = {"id": r["id"], **r["modalities"], "label": r["label"], "poster": r["poster"]}
            writer.writerow(["" if row.get(n) is None else row[n] for n in names])


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    folder = tmp_path_factory.mktemp("newcomer")
    shutil.copytree(ROOT / "experiments", folder / "experiments")
    shutil.copytree(ROOT / "dm2s2_allennlp", folder / "dm2s2_allennlp",
                    ignore=shutil.ignore_patterns("__pycache__"))  # a clone's package, what `python` there imports
    base = [json.loads(line) for line in open(FIXTURES / "generic" / "classification.jsonl") if line.strip()]
    posters = folder / "data" / "mine" / "posters"
    posters.mkdir(parents=True)
    for r in base:  # the creative: the label's word on a picture (one record's file is missing)
        r["poster"] = f"posters/{r['id']}.png"
        if r["id"] != "a6":
            render_text(posters / f"{r['id']}.png", "SAME" if r["label"] == "parallel" else "OTHER")
    records = [dict(r, id=f"{r['id']}-{k}") for k in range(8) for r in base]
    for name in ("train", "dev", "test"):
        write_csv(folder / "data" / "mine" / f"{name}.csv", records)
    write_csv(folder / "data" / "mine" / "new.csv", records[:5], labeled=False)
    return folder


def run(command, cwd):
    env = dict(os.environ, HF_HUB_OFFLINE="1", DM2S2_CACHE_DIR=str(cwd / "cache"))
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result


def test_the_readme_own_data_commands_run_as_written_on_a_clean_clone(clone):
    (block,) = [b for b in re.findall(r"```bash\n(.*?)```", SECTION, re.S)]
    commands = [shlex.split(line) for line in block.splitlines() if line.strip()]
    assert [c[:2] for c in commands] == [["dm2s2", "train"], ["dm2s2", "evaluate"], ["dm2s2", "predict"]]
    assert not (clone / "data" / "movies").exists()  # no demo data
    for words in commands:
        run([DM2S2, *words[1:]], clone)
    config = json.loads((clone / "runs" / "mine" / "config.json").read_text())
    assert config["dataset_reader"]["modalities"] == MODALITIES and config["dataset_reader"]["image_columns"] == ["poster"]
    metrics = json.loads((clone / "runs" / "mine" / "test_metrics.json").read_text())
    assert metrics["accuracy"] > 0.5  # the training data itself: a model that learned
    predictions = [json.loads(line) for line in open(clone / "runs" / "mine" / "predictions.jsonl")]
    assert [p["id"] for p in predictions] == [f"a{k}-0" for k in range(1, 6)]
    assert all(p["label"] in ("parallel", "non_parallel") and len(p["inter_weights"]) == 8 for p in predictions)


def test_the_readme_python_lines_run_and_their_archive_serves_the_cli(clone):
    (block,) = re.findall(r"```python\n(.*?)```", SECTION, re.S)
    result = run([sys.executable, "-c", block], clone)
    # the printed DataFrame: 5 records; id, prediction, 2 class probabilities, 8 modality weights
    assert "a1-0" in result.stdout and "[5 rows x 12 columns]" in result.stdout
    archive = clone / "runs" / "mine-py" / "model.tar.gz"
    output = clone / "runs" / "mine-py" / "cli_predictions.jsonl"
    # batches as the Python entry makes them (64 records): the same padding, so the same bfloat16 numbers
    run([DM2S2, "predict", str(archive), "data/mine/new.csv", "--output-file", str(output), "--silent",
         "--batch-size", "64"], clone)
    from_cli = [json.loads(line) for line in open(output)]

    import pandas as pd

    import dm2s2_allennlp as dm

    model = dm.load(str(archive))
    frame = model.predict(pd.read_csv(clone / "data" / "mine" / "new.csv"), images_from=str(clone / "data" / "mine"))
    assert list(frame["prediction"]) == [p["label"] for p in from_cli]
    for name in ("faces", "poster_ocr_text"):
        assert list(frame[f"weight_{name}"]) == pytest.approx([p["inter_weights"][name] for p in from_cli])
    # and the CLI's archive is read by the Python entry
    cli_model = dm.load(str(clone / "runs" / "mine" / "model.tar.gz"))
    assert set(cli_model.evaluate(str(clone / "data" / "mine" / "test.csv"))) >= {"accuracy", "main_score"}
