"""The installed stack as a user meets it, outside this repository and with the network unreachable (a new network
namespace, where the machine allows one): allennlp-models imports, and every `allennlp` command loads it as a plugin
(AllenNLP imports each default plugin recursively) with no error logged, no NLTK download tried and no third-party
warning printed; `setup.py` answers for the package."""
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def offline(command: List[str]) -> List[str]:
    """``command`` in a network namespace of its own (no interface but a down loopback) when unshare works here."""
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        return ["unshare", "-n", *command]
    return command


def run_outside(command: List[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONWARNINGS", "PYTEST"))}
    env.update(HF_HUB_OFFLINE="1", PYTHONPATH="")
    return subprocess.run(offline(command), cwd=tmp_path, env=env, capture_output=True, text=True)


def assert_quiet(output: str) -> None:
    for noise in ("ERROR", "could not be loaded", "nltk_data", "Warning:", "WARNING"):
        assert noise not in output, f"{noise!r} in the output:\n{output[-3000:]}"


def test_allennlp_loads_allennlp_models_offline_without_a_word(tmp_path):
    script = ("import logging, sys; logging.basicConfig(level=logging.INFO)\n"
              "from allennlp.common.plugins import import_plugins; import_plugins()\n"
              "assert 'allennlp_models.rc.tools.narrativeqa' in sys.modules, 'allennlp_models was not loaded'\n"
              "print('loaded', len([m for m in sys.modules if m.startswith('allennlp_models')]))")
    result = run_outside([sys.executable, "-c", script], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("loaded")
    assert_quiet(result.stdout + result.stderr)


def test_allennlp_train_help_outside_the_repository_prints_only_the_help(tmp_path):
    result = run_outside([str(BIN / "allennlp"), "train", "--help"], tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("usage: allennlp train"), result.stderr[-3000:]
    assert_quiet(result.stdout + result.stderr)


def test_the_dm2s2_script_has_the_plugins_subcommands_anywhere(tmp_path):
    result = run_outside([str(BIN / "dm2s2"), "group-split", "--help"], tmp_path)
    assert result.returncode == 0 and "usage: dm2s2 group-split" in result.stdout, result.stderr[-3000:]
    assert_quiet(result.stdout + result.stderr)


def test_the_dm2s2_script_sets_openmp_to_wait_passively_before_torch_loads(tmp_path):
    """Importing the launcher does nothing; its main sets OMP_WAIT_POLICY (unless the environment has one) before
    the package, and so torch, is imported."""
    script = ("import os, sys\n"
              "import dm2s2_launcher\n"
              "assert 'torch' not in sys.modules and os.environ.get('OMP_WAIT_POLICY') == os.environ.get('GIVEN')\n"
              "import builtins\n"
              "real = builtins.__import__\n"
              "def spy(name, *args, **kwargs):\n"
              "    if name == 'torch' and 'torch' not in sys.modules:\n"
              "        print('torch loads with', os.environ.get('OMP_WAIT_POLICY'))\n"
              "    return real(name, *args, **kwargs)\n"
              "builtins.__import__ = spy\n"
              "sys.argv = ['dm2s2', 'group-split', '--help']\n"
              "dm2s2_launcher.main()\n")
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("torch loads with PASSIVE"), result.stdout[:500]
    env["OMP_WAIT_POLICY"] = env["GIVEN"] = "ACTIVE"  # the user's choice wins
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.startswith("torch loads with ACTIVE"), result.stdout[:500]


def test_setup_py_names_the_package():
    for flag, expected in (("--name", "dm2s2_allennlp"), ("--version", None)):
        result = subprocess.run([sys.executable, "setup.py", flag], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-2000:]
        if expected:
            assert result.stdout.strip().splitlines()[-1] == expected
    import dm2s2_allennlp

    assert result.stdout.strip().splitlines()[-1] == dm2s2_allennlp.__version__


@pytest.mark.parametrize("module", ["allennlp_models", "allennlp_models.rc.tools.narrativeqa"])
def test_allennlp_models_imports(module, tmp_path):
    result = run_outside([sys.executable, "-c", f"import {module}"], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_quiet(result.stdout + result.stderr)
