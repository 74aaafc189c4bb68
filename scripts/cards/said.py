"""What a clip of data/human says: its reference text in data/human/manifest.jsonl, for the cards' samples.

    python scripts/cards/said.py lj_LJ001-0008.wav
"""

import json
import sys
from pathlib import Path

manifest = Path(__file__).resolve().parents[2] / "data" / "human" / "manifest.jsonl"
for line in manifest.read_text(encoding="utf-8").splitlines():
    row = json.loads(line)
    if row["audio"] == sys.argv[1]:
        print(row["text"])
        break
else:
    sys.exit(f"{sys.argv[1]} is not in data/human/manifest.jsonl")
