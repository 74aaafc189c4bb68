"""A speech manifest of Asterisk's US English prompts (Allison Smith), for `seqstudio data augment-speech`.

    python scripts/data/allison_manifest.py SOUNDS_DIR SCRIPT --exclude data/human/manifest.jsonl --out FILE

SOUNDS_DIR is `usr/share/asterisk/sounds/en_US_f_Allison` of Debian's asterisk-core-sounds-en-wav (8 kHz
telephone recordings); SCRIPT is the recording script `core-sounds-en.txt(.gz)` of asterisk-core-sounds-en,
a line `<name>: <text>` per prompt (scripts/data/allison.sh fetches both). Left out: stage directions
(`[beep]`, `(10 seconds of silence)`), prompts that say a key symbol (`*`, `#`: read as "star" or "pound",
or not at all), prompts with a number of several digits (said digit by digit, or as a number?), prompts over 16 s
(training's limit), prompts whose word rate is implausible for their audio (the script and the recording
disagree), and every prompt named in or saying a sentence of the --exclude manifests, so the clips in
data/human stay unheard recordings.
The recordings are CC-BY-SA-3.0, (c) 2003-2010 Allison Smith, funded by Digium (Debian `copyright`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

import soundfile as sf

from seqstudio.speech.text import normalize_text

WORD_RATE = (0.8, 4.5)  # words per second a prompt may have
MAX_SECONDS = 16.0  # as training (longer prompts would lose their originals and keep only sped-up copies)
NUMBER = re.compile(r"\d\d")  # "h323", "1234": said digit by digit or as a number? the script does not say


def read_script(path: Path) -> dict[str, str]:
    opener = gzip.open if path.suffix == ".gz" else open
    prompts = {}
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith(";") or ":" not in line:
                continue
            name, text = line.split(":", 1)
            prompts[name.strip()] = text.strip()
    return prompts


def excluded(manifests: list[Path]) -> tuple[set[str], set[str]]:
    names, texts = set(), set()
    for manifest in manifests:
        for line in manifest.read_text().splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            stem = Path(row["audio"]).stem
            names.add(stem.removeprefix("ast_"))
            texts.add(normalize_text(row["text"]))
    return names, texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sounds", type=Path)
    parser.add_argument("script", type=Path)
    parser.add_argument("--exclude", type=Path, action="append", default=[])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.out.exists():
        print(f"error: {args.out} exists", file=sys.stderr)
        return 1
    names, texts = excluded(args.exclude)
    why = {"stage direction or key symbol": 0, "number of several digits": 0, "no audio": 0, "excluded": 0,
           "word rate": 0, f"over {MAX_SECONDS:g} s": 0}
    rows = []
    for name, text in sorted(read_script(args.script).items()):
        spoken = normalize_text(text)
        if any(c in text for c in "[]()<>*#") or not spoken:
            why["stage direction or key symbol"] += 1
            continue
        if NUMBER.search(text):
            why["number of several digits"] += 1
            continue
        if name.split("/")[-1] in names or spoken in texts:
            why["excluded"] += 1
            continue
        audio = args.sounds / f"{name}.wav"
        if not audio.exists():
            why["no audio"] += 1
            continue
        seconds = sf.info(str(audio)).duration
        if seconds > MAX_SECONDS:
            why[f"over {MAX_SECONDS:g} s"] += 1
            continue
        if not WORD_RATE[0] <= len(spoken.split()) / max(seconds, 1e-3) <= WORD_RATE[1]:
            why["word rate"] += 1
            continue
        rows.append({"audio": str(audio.resolve()), "text": text, "duration": round(seconds, 3),
                     "speaker": "allison"})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text("".join(json.dumps(r) + "\n" for r in rows))
    tmp.rename(args.out)
    hours = sum(r["duration"] for r in rows) / 3600
    print(f"wrote {args.out}: {len(rows)} prompts, {hours * 60:.1f} min; left out: "
          + ", ".join(f"{v} {k}" for k, v in why.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
