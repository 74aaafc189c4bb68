"""Copy a trained model folder into models/ with its weights stored as float16 (half the bytes), replacing the
model in the destination (its README.md, the model card, is kept).

    python scripts/ship_model.py runs/music-gpu/model models/music-default

Every SeqStudio model computes in float32 (int8 for CPU generation): loading widens the stored float16 weights
exactly, so the only change is each weight rounded to 11 significant bits. The model card measures the shipped
file, not the run's float32 weights. A README.md already in the destination (the card) is kept.
"""

from __future__ import annotations

import sys

import torch

from seqstudio.core.artifact import load_artifact, save_artifact
from seqstudio.core.errors import SeqStudioError


def main(src: str, dst: str) -> None:
    artifact = load_artifact(src)
    tensors = {k: v.to(torch.float16) if v.is_floating_point() else v for k, v in artifact.tensors.items()}
    if not all(bool(torch.isfinite(v).all()) for v in tensors.values() if v.is_floating_point()):
        sys.exit(f"{src}: a weight is beyond float16's range (65504); ship it as float32")
    worst = max(float((v.float() - artifact.tensors[k].float()).abs().max()) for k, v in tensors.items())
    config = {k: v for k, v in artifact.config.items() if k not in ("format", "format_version")}
    config["stored_dtype"] = "float16"
    save_artifact(dst, tensors, config, overwrite=True)
    print(f"{dst}: {len(tensors)} tensors stored as float16 (largest rounding {worst:.2e})")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: " + next(line.strip() for line in __doc__.splitlines() if "ship_model.py" in line))
    try:
        main(sys.argv[1], sys.argv[2])
    except SeqStudioError as exc:
        sys.exit(f"ship_model: error: {exc}")
