#!/usr/bin/env bash
# The measurements on models/speech-streaming's card, one job at a time (2 cores; the bench wants an idle
# machine), into runs/streaming/, then the card itself (scripts/cards/streaming_card.py):
#   bash scripts/cards/streaming_measure.sh
# Greedy decoding (what the streaming recogniser does), the bidirectional default beside it (its per-source table
# decodes with its LM too: the card shows only the greedy columns).
set -euo pipefail
cd "$(dirname "$0")/../.."
S=.venv/bin/seqstudio
out=runs/streaming
mkdir -p "$out"
.venv/bin/python scripts/cards/unheard.py > "$out/human_unheard.jsonl"
for model in streaming default; do
  for manifest in data/corpus/speech/valid.jsonl data/corpus/speech/test.jsonl "$out/human_unheard.jsonl"; do
    name=$(basename "$manifest" .jsonl)
    $S eval speech "$manifest" --model "speech-$model" --lm none --json > "$out/${model}_eval_$name.json"
  done
  .venv/bin/python benchmarks/speech_by_voice.py --model "speech-$model" --manifest data/human/manifest.jsonl --json \
    > "$out/${model}_by_source.json"
done
# live, as a user runs it: each clip piped in as 16-bit PCM, words with their times
: > "$out/listen_human.txt"
for f in lj_LJ001-0008 librivox_sas01_0930 ps_cards_001 alsa_Front_Center ast_tt-weasels; do
  said=$(.venv/bin/python scripts/cards/said.py "$f.wav")
  heard=$(.venv/bin/python -c "import sys, soundfile
sys.stdout.buffer.write(soundfile.read(sys.argv[1], dtype='int16')[0].tobytes())" "data/human/$f.wav" \
    | $S listen | tr "\n" " " | sed "s/ *$//")
  printf '%s\n  said:  %s\n  heard: %s\n' "$f.wav" "$said" "$heard" >> "$out/listen_human.txt"
done
GOMP_SPINCOUNT=1000 .venv/bin/python benchmarks/streaming.py models/speech-streaming > "$out/bench_streaming.txt"
.venv/bin/python scripts/cards/streaming_card.py
cat "$out/listen_human.txt"
