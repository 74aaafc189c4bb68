#!/usr/bin/env bash
# models/speech-streaming, the shipped streaming model (what `seqstudio listen` uses): the corpora speech-default
# trained on, then a unidirectional LSTM over online-normalised features trained on all of them, starting from
# the forward direction of speech-default's stage 7 (commit 7ebc14a): 5,500 steps, then the finished run continued to
# 9,000 (its cosine schedule stretched: a warm restart), as the shipped model was made. Every step is resumable:
# run it again.
#   bash scripts/cards/speech_streaming.sh     (~1.5 h of corpora if none is built; the training: see the card)
# Then: bash scripts/cards/streaming_measure.sh (the card's numbers, and the card itself).
set -euo pipefail
cd "$(dirname "$0")/../.."
S=.venv/bin/seqstudio
OUT=runs/speech-streaming
bash scripts/cards/stages_from_git.sh > /dev/null  # runs/speech-stage7: where it starts
bash scripts/cards/speech_corpora.sh
train() {
  $S train speech --streaming --extra-train data/corpus/speech-shift --extra-train data/corpus/speech-piper \
      --extra-train data/corpus/speech-allison --extra-train data/corpus/speech-pico \
      --extra-train data/corpus/speech-pico-down --extra-train data/corpus/speech-kokoro \
      --extra-train data/corpus/speech-kokoro-mix --init runs/speech-stage7 --lr 1e-3 \
      --steps "$1" --threads "${THREADS:-2}" --out "$OUT"
}
done_steps=0
if [ -f "$OUT/checkpoint.pt" ]; then
  done_steps=$(.venv/bin/python -c "import sys, torch
print(torch.load(sys.argv[1], map_location='cpu', weights_only=True)['step'])" "$OUT/checkpoint.pt")
fi
[ "$done_steps" -ge 5500 ] || train 5500
train 9000
.venv/bin/python scripts/ship_model.py "$OUT/model" models/speech-streaming
.venv/bin/python scripts/cards/record_start.py models/speech-streaming \
    "models/speech-default as of commit 7ebc14a (the stage-7 model, float16)"
