#!/usr/bin/env bash
# Create .venv and install SeqStudio with everything it needs. Idempotent: a second run is instant.
# Torch comes from this machine's local package mirror (torch 2.14.1 + torchaudio 2.11, see README).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv
stamp_src=$(cat pyproject.toml scripts/constraints.txt | sha1sum | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.seqstudio-stamp" 2>/dev/null)" = "$stamp_src" ]; then
  exit 0
fi
echo "setting up $VENV (first run takes a few minutes)..." >&2
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip >&2
"$VENV/bin/python" -m pip install -q -c scripts/constraints.txt -e '.[dev]' >&2
echo "$stamp_src" > "$VENV/.seqstudio-stamp"
