#!/usr/bin/env bash
# Set up (first time only), then run SeqStudio's main job: continue a bundled seed with the bundled model.
# Any arguments replace the default job, e.g. `scripts/run.sh generate --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ $# -gt 0 ]; then
  exec .venv/bin/seqstudio "$@"
fi
out="out/chorale_continuation_$(date +%Y%m%d_%H%M%S).mid"
exec .venv/bin/seqstudio generate --seed data/seeds/chorale_quartet.mid --out "$out" --seconds 20 --variations 1
