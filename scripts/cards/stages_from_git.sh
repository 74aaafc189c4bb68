#!/usr/bin/env bash
# The speech model of every shipped stage, from this repository's history, into runs/speech-stage1 .. 8 (weights,
# config.json with its provenance, lm.arpa): the folders the card's per-stage measurements read, without training
# the stages again (the card's "Rebuild it" trains them; this is the same files as shipped, float16).
#   bash scripts/cards/stages_from_git.sh      (a clone with its history; seconds)
# Then, for each stage N: bash scripts/cards/speech_measure.sh runs/speech-stageN runs/stageN
set -euo pipefail
cd "$(dirname "$0")/../.."
# stage:commit that shipped it (the card names them too)
for pair in 1:707a655 2:04ae36f 3:d213f76 4:9feec64 5:23b1ec5 6:3d57a0a 7:7ebc14a 8:958aece; do
  stage=${pair%%:*} commit=${pair#*:}
  out=runs/speech-stage$stage
  mkdir -p "$out"
  for name in config.json model.safetensors lm.arpa; do
    git show "$commit:models/speech-default/$name" > "$out/$name.part"
    mv "$out/$name.part" "$out/$name"
  done
  echo "$out: stage $stage as shipped at $commit"
done
