#!/usr/bin/env bash
# Real recordings for training: Asterisk's US English prompts (Allison Smith, 8 kHz telephone, CC-BY-SA-3.0),
# as augmented copies in data/corpus/speech-allison for `seqstudio train speech --extra-train`.
# The 12 prompts in data/human are left out (they stay a test of recordings never heard).
#   bash scripts/data/allison.sh [OUT]        (needs apt access to Debian bookworm's main; ~1 min)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-data/corpus/speech-allison}
src=data/corpus/asterisk-sounds
py=${PYTHON:-.venv/bin/python}
if [ ! -f "$src/done" ]; then
  mkdir -p "$src/debs"
  (cd "$src/debs" && apt-get download asterisk-core-sounds-en=1.6.1-1 asterisk-core-sounds-en-wav=1.6.1-1)
  for deb in "$src"/debs/*.deb; do dpkg -x "$deb" "$src/root"; done
  touch "$src/done"
fi
manifest=$src/allison.jsonl
[ -f "$manifest" ] || "$py" scripts/data/allison_manifest.py "$src/root/usr/share/asterisk/sounds/en_US_f_Allison" \
  "$src/root/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz" --exclude data/human/manifest.jsonl \
  --out "$manifest"
"$py" -m seqstudio data augment-speech "$manifest" --out "$out" --copies 5 --speed 0.85 1.2 --p-speed 0.8 --seed 1
