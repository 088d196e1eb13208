#!/usr/bin/env bash
# GPU setup check (issue: paper experiments): `allennlp train experiments/mmimdb/dm2s2.jsonnet` on CUDA, on synthetic
# data in the real MM-IMDB layout at realistic lengths, with a roberta-large-shaped random encoder.
# Run on the device machine from the repository root, with the wheels in .whl/ and the tokenizer files in .gpu-enc/
# (see benchmarks/README.md). Writes a JSON summary and the runs' metrics to $OUT.
set -euo pipefail
OUT=${OUT:-/tmp/out}
source benchmarks/gpu/device_env.sh
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee $OUT/gpu.txt
python3 -c "
import torch, transformers, allennlp.commands, dm2s2_allennlp
from allennlp.common.plugins import import_plugins
import_plugins()
print('torch', torch.__version__, 'transformers', transformers.__version__, 'plugins ok')"
python3 scripts/build_random_encoder.py /tmp/enc --size roberta-large --tokenizer-from .gpu-enc
python3 scripts/make_synthetic_mmimdb.py /tmp/mm --train ${TRAIN:-3000} --dev 500 --test 500 --words .gpu-enc/vocab.txt
export DM2S2_PAPER_ENCODER=/tmp/enc DM2S2_MMIMDB_DIR=/tmp/mm/mmimdb DM2S2_MMIMDB_FEATURES=/tmp/mm/features
export DM2S2_EPOCHS=${EPOCHS:-3} DM2S2_CUDA_DEVICE=0
for amp in ${AMPS:-false true}; do
  start=$(date +%s)
  DM2S2_AMP=$amp python3 -m allennlp train experiments/mmimdb/dm2s2.jsonnet -s /tmp/run_amp_$amp \
    --include-package dm2s2_allennlp > $OUT/train_amp_$amp.log 2>&1 || { tail -40 $OUT/train_amp_$amp.log; exit 1; }
  echo "amp=$amp wall=$(( $(date +%s) - start ))s"
  mkdir -p $OUT/amp_$amp && cp /tmp/run_amp_$amp/metrics*.json $OUT/amp_$amp/
done
python3 - <<'PY'
import glob, json, os, sys
sys.path.insert(0, "benchmarks")
from epoch_times import epoch_seconds
out = os.environ.get("OUT", "/tmp/out")
summary = {}
for run in sorted(glob.glob(f"{out}/amp_*")):
    epochs = sorted(glob.glob(f"{run}/metrics_epoch_*.json"), key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))
    final = json.load(open(f"{run}/metrics.json"))
    summary[os.path.basename(run)] = {
        "epoch_seconds (train + validation)": epoch_seconds(run),
        "peak_gpu_memory_MB": final.get("peak_gpu_0_memory_MB"),
        "training_loss_by_epoch": [round(json.load(open(p))["training_loss"], 4) for p in epochs],
        "test": {k: round(v, 4) for k, v in final.items() if k.startswith("test_")},
    }
json.dump(summary, open(f"{out}/summary.json", "w"), indent=2)
print(json.dumps(summary, indent=2))
PY
