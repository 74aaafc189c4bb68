#!/usr/bin/env bash
# After scripts/cards/speech_stage8.sh: stage 8 shipped as float16 into runs/speech-stage8 (with stage 7's LM), and
# compared with stage 7 as shipped on the validation split (what decides whether it is kept) and, for the notes, on
# the 37 human clips of unheard voices. Waits for the run to finish when started beside it.
#   bash scripts/cards/speech_stage8_check.sh   -> runs/stage8_valid_compare.txt, runs/stage8_unheard_compare.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
while [ ! -f runs/speech-kokoro-mix/model/config.json ]; do sleep 60; done
.venv/bin/python scripts/ship_model.py runs/speech-kokoro-mix/model runs/speech-stage8
cp runs/speech-stage7/lm.arpa runs/speech-stage8/
.venv/bin/python benchmarks/speech_compare.py data/corpus/speech/valid.jsonl runs/speech-stage7 runs/speech-stage8 \
    > runs/stage8_valid_compare.txt
.venv/bin/python scripts/cards/unheard.py > runs/human_unheard.jsonl
.venv/bin/python benchmarks/speech_compare.py runs/human_unheard.jsonl runs/speech-stage7 runs/speech-stage8 --by-speaker \
    > runs/stage8_unheard_compare.txt
