#!/usr/bin/env bash
# How models/music-default was trained (session 4): one call of the device tool, run from the repository root
# with the wheels SeqStudio needs beyond that machine's image in .whl/ (pretty_midi, mido, soundfile, soxr,
# audioread, cffi, pycparser, importlib_resources for Python 3.12) and the built music corpus as .gpu/music.tar.xz
# (tar of data/corpus/music: corpus.json, *.npy, *.txt). A second call continued the run: --steps 7300.
# One device call: CUDA tests, the music `gpu` preset sized to the time left, GPU benches.
T0=$(date +%s); export PYTHONUNBUFFERED=1
LOG=$OUT/log.txt
say() { echo "[$(( $(date +%s) - T0 ))s] $*" | tee -a $LOG; }
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || { echo pipfail; exit 1; }
export PYTHONPATH=/tmp/site:$PWD
mkdir -p data/corpus/music && tar xJf .gpu/music.tar.xz -C data/corpus/music
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader >> $LOG; nproc >> $LOG
python3 -c "import torch, numba; print('torch', torch.__version__, 'cudnn', torch.backends.cudnn.version(), 'numba', numba.__version__)" >> $LOG 2>&1
say tests
timeout 80 python3 -m pytest -q -p no:cacheprovider tests/music/test_cuda.py tests/speech/test_cuda.py >> $LOG 2>&1; say "tests rc $?"
PER=$(timeout 60 python3 scripts/device/probe_steps.py 60 2>>$LOG | tail -1); say "per-step $PER"
END_TRAIN=$((T0 + ${TRAIN_UNTIL:-440}))
N=$(python3 -c "
import sys; per=float('${PER:-0.2}' or 0.2); left=$END_TRAIN-$(date +%s)-45
n=int(left/(per*1.06)); print(max(500, min(${MAX_STEPS:-6000}, n//100*100)))")
say "training $N steps"
timeout -s INT $((END_TRAIN - $(date +%s) + 40)) python3 -m seqstudio train music --preset gpu --steps $N --device cuda --out runs/music-gpu > $OUT/train.txt 2>&1; say "train rc $?"
tail -c 3000 $OUT/train.txt | tr '\r' '\n' | grep -v "^\s*$" | tail -25 >> $LOG
if [ -f runs/music-gpu/model/model.safetensors ]; then
  cp runs/music-gpu/model/config.json $OUT/config.json
  split -b 15M -d runs/music-gpu/model/model.safetensors $OUT/model.part
else
  python3 -c "
import torch; from safetensors.torch import save_file
c=torch.load('runs/music-gpu/checkpoint.pt', map_location='cpu', weights_only=True)
print('checkpoint step', c['step']); save_file({k: v.contiguous() for k, v in c['model'].items()}, '/tmp/w.safetensors')" >> $LOG 2>&1
  split -b 15M -d /tmp/w.safetensors $OUT/ckpt.part
fi
cp runs/music-gpu/log.jsonl $OUT/ 2>/dev/null
say bench transcribe
timeout ${BT:-55} python3 -m seqstudio bench transcribe --device cuda --long-minutes 0 >> $LOG 2>&1; say "rc $?"
say bench generate
timeout ${BG:-60} python3 -m seqstudio bench generate --repeats 2 >> $LOG 2>&1; say "rc $?"
say done
