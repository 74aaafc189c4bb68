#!/usr/bin/env bash
# A ceiling check for the speech card: stage 7 decoded with an LM that knows the words of the clips it is scored
# on (their transcripts, three times each, added to the usual training sentences). If even that LM leaves most
# words wrong, the words are lost in what the acoustic model hears, not in what the LM knows.
#   bash scripts/cards/stage7_cheat_lm.sh     (after stages_from_git.sh and speech_measure.sh for stage 7; ~1 min)
set -euo pipefail
cd "$(dirname "$0")/../.."
.venv/bin/python -c "import json, sys
rows = [json.loads(line) for line in open('runs/stage7/human_unheard.jsonl')]
sys.stdout.write(''.join(row['text'] + '\n' for row in rows) * 3)" > runs/stage7_cheat_lm.txt
.venv/bin/seqstudio train lm --out runs/stage7_cheat_lm.arpa --text runs/stage7_cheat_lm.txt --sentences default \
    --overwrite > /dev/null
.venv/bin/seqstudio eval speech runs/stage7/human_unheard.jsonl --model runs/speech-stage7 \
    --lm runs/stage7_cheat_lm.arpa --json > runs/stage7_cheat_lm.json
