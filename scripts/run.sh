#!/usr/bin/env bash
# Set up (first time only), then run SeqStudio's main job: continue a bundled seed with the bundled model.
# Any arguments replace the default job, e.g. `scripts/run.sh generate --help`; paths in them are relative to
# where you run it from.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
bash "$ROOT/scripts/setup.sh"
if [ $# -gt 0 ]; then
  exec "$ROOT/.venv/bin/seqstudio" "$@"
fi
out="$ROOT/out/chorale_continuation_$(date +%Y%m%d_%H%M%S).mid"
exec "$ROOT/.venv/bin/seqstudio" generate --seed "$ROOT/data/seeds/chorale_quartet.mid" --out "$out" --seconds 20
