"""Name a fine-tuned model's start model by a commit instead of the local path it was trained from.

    python scripts/cards/record_start.py models/speech-default "models/speech-default as of commit 04ae36f (...)"

Sets provenance.init.model and provenance.train_config.init in MODEL/config.json (nothing else changes; the
start model's own provenance stays under provenance.init.provenance).
"""

import json
import sys
from pathlib import Path

from seqstudio.core.atomic import atomic_write_text

folder, text = Path(sys.argv[1]), sys.argv[2]
path = folder / "config.json"
config = json.loads(path.read_text(encoding="utf-8"))
provenance = config["provenance"]
if "init" not in provenance:
    sys.exit(f"{path}: not a fine-tuned model (its provenance has no init)")
provenance["init"]["model"] = provenance["train_config"]["init"] = text
atomic_write_text(path, json.dumps(config, indent=2) + "\n", overwrite=True)
print(f"{path}: start model recorded as {text!r}")
