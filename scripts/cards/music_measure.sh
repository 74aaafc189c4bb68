#!/usr/bin/env bash
# The measurements the music cards show, one job at a time (2 cores; the benches want an idle machine), then
# the cards: bash scripts/cards/music_measure.sh [default cpu]   (runs/ngram.json from `seqstudio eval ngram`)
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=2
names=("${@:-default cpu}")
for m in ${names[@]}; do
  d=runs/card-$m; model=models/music-$m; mkdir -p $d
  .venv/bin/python benchmarks/music_by_collection.py --model $model > $d/by_collection.txt
  .venv/bin/python benchmarks/music_int8_quality.py --model $model > $d/int8.json
  .venv/bin/python benchmarks/music_listen.py --model $model > $d/listen.txt
  .venv/bin/seqstudio bench generate --model $model --tokens 400 --batch 8 > $d/bench.txt
  .venv/bin/python scripts/cards/music_card.py $m $d
done
