#!/usr/bin/env bash
# GPU speed benchmark on the device machine (benchmarks/train_speed.py; benchmarks/README.md). JSON lines to $OUT.
set -euo pipefail
OUT=${OUT:-/tmp/out}
source benchmarks/gpu/device_env.sh
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee $OUT/gpu.txt
python3 scripts/build_random_encoder.py /tmp/enc --size roberta-large --tokenizer-from .gpu-enc
python3 scripts/make_synthetic_mmimdb.py /tmp/mm --train ${TRAIN:-3000} --dev 10 --test 10 --words .gpu-enc/vocab.txt
for precision in ${PRECISIONS:-bfloat16}; do
  python3 benchmarks/train_speed.py --data mmimdb:/tmp/mm --encoder /tmp/enc --autocast $precision --epochs 3 \
    2> $OUT/speed_$precision.log | tee -a $OUT/speed.jsonl || { tail -30 $OUT/speed_$precision.log; exit 1; }
done
