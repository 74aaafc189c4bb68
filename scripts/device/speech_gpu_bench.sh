#!/usr/bin/env bash
# One device call (about 4 minutes): the CUDA tests (speech and music), then `bench transcribe` on the GPU with the
# decoding processes, greedy row and the 2-hour memory test. Carry .whl/ (soundfile, soxr, audioread, cffi,
# pycparser, pretty_midi, mido, importlib_resources for Python 3.12; see README.md here).
# Usage on the device tool: bash scripts/device/speech_gpu_bench.sh   (results in $OUT/log.txt)
T0=$(date +%s); export PYTHONUNBUFFERED=1
LOG=${OUT:-/tmp}/log.txt
say() { echo "[$(( $(date +%s) - T0 ))s] $*" | tee -a "$LOG"; }
if [ "${WHEELS:-1}" = 1 ] && [ -d .whl ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    || { echo "wheels did not install"; exit 1; }
  export PYTHONPATH=/tmp/site:$PWD
fi
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader >> "$LOG" 2>&1; nproc >> "$LOG"
say tests
timeout 150 python3 -m pytest -q -p no:cacheprovider tests/speech/test_cuda.py tests/speech/test_decode_pool.py \
  tests/music/test_cuda.py >> "$LOG" 2>&1; say "tests rc $?"
timeout 60 python3 -m pytest -q -p no:cacheprovider tests/speech/test_model.py tests/speech/test_features.py -k cuda \
  >> "$LOG" 2>&1; say "cuda-parametrised tests rc $?"
say bench
timeout ${BENCH_S:-300} python3 -m seqstudio bench transcribe --device ${DEVICE:-cuda} --long-minutes ${LONG_MIN:-120} \
  >> "$LOG" 2>&1; say "bench rc $?"
