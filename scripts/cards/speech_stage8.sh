#!/usr/bin/env bash
# Stage 8 of models/speech-default (shipped): the corpora of stages 1 to 7 and data/corpus/speech-kokoro-mix
# (kokoro:mix, a new mix of Kokoro's three voices per reading), then 9,000 steps from stage 7 as shipped (float16;
# the float32 weights of its run are gone). Every step is resumable: run it again. It was kept because the whole
# validation split improved (benchmarks/speech_compare.py against runs/speech-stage7: runs/stage8_valid_compare.txt).
# Then ship it as the card's "Rebuild it" says (scripts/ship_model.py, record_start.py, the stage-1 LM).
#   bash scripts/cards/speech_stage8.sh        (~1.5 h of corpora, ~2-3 h of training on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
S=.venv/bin/seqstudio
bash scripts/cards/stages_from_git.sh > /dev/null  # runs/speech-stage7: where it starts
bash scripts/cards/speech_corpora.sh
$S train speech --extra-train data/corpus/speech-shift --extra-train data/corpus/speech-piper \
    --extra-train data/corpus/speech-allison --extra-train data/corpus/speech-pico \
    --extra-train data/corpus/speech-pico-down --extra-train data/corpus/speech-kokoro \
    --extra-train data/corpus/speech-kokoro-mix --init runs/speech-stage7 \
    --steps 9000 --threads 2 --out runs/speech-kokoro-mix
