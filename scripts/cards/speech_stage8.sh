#!/usr/bin/env bash
# Stage 8 of models/speech-default, in progress, not shipped: the corpora of stage 7 (the card's commands) and
# data/corpus/speech-kokoro-mix (kokoro:mix, a new mix of Kokoro's three voices per reading), then 9,000 steps from
# stage 7 as shipped (float16; the float32 weights of its run are gone). Every step is resumable: run it again.
# Keep it only if the whole validation split improves (benchmarks/speech_compare.py against runs/speech-stage7).
#   bash scripts/cards/speech_stage8.sh        (~1.5 h of corpora, ~1.5 h of training on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
S=.venv/bin/seqstudio
bash scripts/cards/stages_from_git.sh > /dev/null  # runs/speech-stage7: where it starts
$S data speech --voice-shift 0
$S data speech --out data/corpus/speech-shift --voices flite:kal,flite:kal16,flite:awb,flite:rms,festival:kal_diphone \
    --train 8000 --valid 0 --test 0 --voice-shift 1 --seed 1
$S data speech --out data/corpus/speech-piper --voices piper:en_US-joe-medium \
    --train 6000 --valid 0 --test 0 --voice-shift 0.6 --seed 2
bash scripts/data/allison.sh
$S data speech --out data/corpus/speech-pico --voices pico:en-US,pico:en-GB \
    --train 8000 --valid 0 --test 0 --voice-shift 0.5 --seed 3
$S data speech --out data/corpus/speech-pico-down --voices pico:en-US,pico:en-GB \
    --train 8000 --valid 0 --test 0 --voice-shift 1 --shift-range 0.75 0.9 --shift-pitch 0.5 0.7 --seed 4
$S data speech --out data/corpus/speech-kokoro --voices kokoro:jm_kumo,kokoro:jf_gongitsune,kokoro:jf_nezumi \
    --train 3000 --valid 0 --test 0 --voice-shift 0.5 --seed 6
$S data speech --out data/corpus/speech-kokoro-mix --voices kokoro:mix \
    --train 3000 --valid 0 --test 0 --voice-shift 0.3 --seed 7
$S train speech --extra-train data/corpus/speech-shift --extra-train data/corpus/speech-piper \
    --extra-train data/corpus/speech-allison --extra-train data/corpus/speech-pico \
    --extra-train data/corpus/speech-pico-down --extra-train data/corpus/speech-kokoro \
    --extra-train data/corpus/speech-kokoro-mix --init runs/speech-stage7 \
    --steps 9000 --threads 2 --out runs/speech-kokoro-mix
