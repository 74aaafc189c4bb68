#!/usr/bin/env bash
# Create .venv and install SeqStudio with everything it needs. Idempotent: a second run is instant.
# Torch comes from this machine's local package mirror (torch 2.14.1 + torchaudio 2.11, see README).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

# Debian packages: the offline speech voices (espeak-ng, flite, festival + voices) and text sources that the
# speech corpus builder and its tests use; for the desktop app, xvfb (screenshots on a machine without a display),
# FluidSynth with a General MIDI SoundFont (playback, WAV export) and a Chinese font (its Chinese UI and text).
# Installed once; checked quickly on every run.
APT_PACKAGES="espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts fortunes wordnet-base"
APT_PACKAGES="$APT_PACKAGES xvfb fluidsynth fluid-soundfont-gm fonts-wqy-microhei"
# a C compiler and Python's headers: the pip package ttspico (SVOX Pico voices) is compiled at install
APT_PACKAGES="$APT_PACKAGES gcc libc6-dev"
include=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("INCLUDEPY") or "")')
[ -f "$include/Python.h" ] || APT_PACKAGES="$APT_PACKAGES python3-dev"
missing=()
for pkg in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "SeqStudio needs these Debian packages: ${missing[*]} (apt-get install them as root)" >&2; exit 1
  fi
  echo "installing Debian packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi

VENV=.venv
stamp_src=$(cat pyproject.toml scripts/constraints.txt | sha1sum | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.seqstudio-stamp" 2>/dev/null)" = "$stamp_src" ]; then
  exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
  # the environment takes about 7 GB (torch with its CUDA libraries, PySide6, the voices): say so before pip fails
  # half-way with "No space left on device" (refused below 6 GB, which cannot be enough)
  free_kb=$(df -Pk . 2>/dev/null | awk 'NR == 2 {print $4}') || free_kb=""
  if [ -n "$free_kb" ] && [ "$free_kb" -lt $((6 * 1024 * 1024)) ]; then  # (df unreadable: no check)
    echo "SeqStudio's environment (.venv) needs about 7 GB of free disk; $(pwd) has $((free_kb / 1024)) MB free" >&2
    exit 1
  fi
fi
echo "setting up $VENV (first run takes a few minutes)..." >&2
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip >&2
"$VENV/bin/python" -m pip install -q -c scripts/constraints.txt -e '.[dev,gui,voices]' >&2
echo "$stamp_src" > "$VENV/.seqstudio-stamp"
