#!/usr/bin/env bash
# The measurements the speech card shows, one job at a time (2 cores; the bench wants an idle machine):
#   bash scripts/cards/speech_measure.sh MODEL OUT [--card]      (paths relative to the repository)
# scores MODEL (a folder with lm.arpa beside the weights) on the corpus' valid and test splits and the real human
# clips, per voice group and per human source, and transcribes a few human clips, into OUT/; --card also runs
# benchmarks/speech_compare.py (against runs/speech-stage7), benchmarks/tune_lm.py and `seqstudio bench transcribe`, then writes models/speech-default/README.md
# (scripts/cards/speech_card.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] || { echo "usage: bash scripts/cards/speech_measure.sh MODEL OUT [--card]" >&2; exit 2; }
model=$1; out=$2; card=${3:-}
case "$card" in
  "") ;;
  --card) [ "$model" = models/speech-default ] && [ "$out" = runs ] || {
    echo "--card writes the card from runs/ (and runs/stage1/ to runs/stage7/): use MODEL models/speech-default, OUT runs" >&2; exit 2; } ;;
  *) echo "unknown option $card (expected --card)" >&2; exit 2 ;;
esac
S=.venv/bin/seqstudio
mkdir -p "$out"
for split in valid test; do
  $S eval speech data/corpus/speech/$split.jsonl --model "$model" --json > "$out/speech_eval_$split.json"
done
$S eval speech data/human/manifest.jsonl --model "$model" --json > "$out/speech_eval_human.json"
# the clips of voices no stage trained on: all but Allison Smith's (stages 4 to 8 trained on her other prompts)
.venv/bin/python scripts/cards/unheard.py > "$out/human_unheard.jsonl"
$S eval speech "$out/human_unheard.jsonl" --model "$model" --json > "$out/speech_eval_human_unheard.json"
.venv/bin/python benchmarks/speech_by_voice.py --model "$model" > "$out/speech_by_voice.txt"
.venv/bin/python benchmarks/speech_by_voice.py --model "$model" --manifest data/human/manifest.jsonl \
  > "$out/speech_by_source.txt"
: > "$out/transcribe_human.txt"
for f in librivox_sas01_0870 librivox_sas01_0930 ps_cards_001 ps_goforward alsa_Front_Center librispeech_61-70968-0000 \
    lj_LJ001-0008 mfa_thoughts ast_tt-weasels; do
  wav=data/human/$f.wav
  said=$(.venv/bin/python scripts/cards/said.py "$f.wav")
  heard=$($S transcribe "$wav" --model "$model" --out - | tr "\n" " " | sed "s/ *$//")  # one line
  printf '%s\n  said:  %s\n  heard: %s\n' "$f.wav" "$said" "$heard" >> "$out/transcribe_human.txt"
done
if [ "$card" = --card ]; then
  .venv/bin/python benchmarks/speech_compare.py "$out/human_unheard.jsonl" runs/speech-stage7 "$model" \
    > "$out/compare_unheard.txt"  # the previous default against this one, paired bootstrap over clips
  .venv/bin/python benchmarks/speech_compare.py "$out/human_unheard.jsonl" runs/speech-stage7 "$model" --by-speaker \
    > "$out/compare_unheard_by_speaker.txt"  # and over whole sources
  .venv/bin/python benchmarks/tune_lm.py --model "$model" > "$out/tune_lm.txt"
  $S bench transcribe --model "$model" > "$out/bench_transcribe.txt"
  .venv/bin/python scripts/cards/speech_card.py > /dev/null
fi
cat "$out/transcribe_human.txt"
