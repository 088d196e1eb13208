# Sourced by the device-machine scripts: installs the carried wheels (.whl/) into /tmp/site and points Python at them,
# at the spaCy stub (stubs/) and at this repository. See benchmarks/README.md for what .whl/ holds.
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
# transformers 4.42 refuses numpy 2 at import (a metadata pin); the device's torch/scipy are built for numpy 2, so
# relax only that check there (our CPU stack keeps numpy<2 as pinned).
sed -i 's/"numpy>=1.17,<2.0"/"numpy>=1.17"/' /tmp/site/transformers/dependency_versions_table.py
export PYTHONPATH=/tmp/site:$PWD/benchmarks/gpu/stubs:$PWD HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export DM2S2_CACHE_DIR=/tmp/dm2s2-cache
