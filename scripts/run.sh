#!/usr/bin/env bash
# Set up (first time only), then run SeqStudio's main job: the desktop app on the bundled default models.
# Without a display (or without Qt) `seqstudio` prints its help and says why the app cannot start.
# Any arguments run that command instead, e.g. `scripts/run.sh generate --help`; paths in them are relative
# to where you run it from.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
bash "$ROOT/scripts/setup.sh"
exec "$ROOT/.venv/bin/seqstudio" "$@"
