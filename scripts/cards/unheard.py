"""The clips of data/human whose voices no stage of the speech model trained on (all but Allison Smith's: stages 4 to
8 trained on her other prompts), as a manifest with absolute audio paths, on standard output.

    python scripts/cards/unheard.py > runs/human_unheard.jsonl
"""

import json
import sys
from pathlib import Path

human = Path(__file__).resolve().parents[2] / "data" / "human"
for line in (human / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
    row = json.loads(line)
    if not row["speaker"].startswith("Allison Smith"):
        sys.stdout.write(json.dumps(dict(row, audio=str((human / row["audio"]).resolve()))) + "\n")
