#!/usr/bin/env bash
# The training corpora of speech-default's stages 1 to 7 and of stage 8 (the card's commands), each cached: a rerun
# skips what is built and resumes what is not. Used by speech_stage8.sh and speech_streaming.sh.
#   bash scripts/cards/speech_corpora.sh      (~1.5 h on 2 cores from nothing; seconds when built)
set -euo pipefail
cd "$(dirname "$0")/../.."
S=.venv/bin/seqstudio
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
