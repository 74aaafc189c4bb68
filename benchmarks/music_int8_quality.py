"""What int8 weights cost in quality: NLL per event of a music model on whole corpus splits, with its own
float32 weights and with the int8 kernel's weights (``fast_step.int8_reference``: the same numbers the
default `generate --precision int8` computes with, up to float32 summation order).

    python benchmarks/music_int8_quality.py [--model default] [--corpus data/corpus/music]
"""

from __future__ import annotations

import argparse
import copy
import json

import torch

from seqstudio.core.models import resolve_model
from seqstudio.music.bundle import load_music_model
from seqstudio.music.composer import DEFAULT_MODEL
from seqstudio.music.corpus import load_corpus
from seqstudio.music.evaluate import sequence_nll
from seqstudio.nn.fast_step import int8_reference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="default")
    parser.add_argument("--corpus", default="data/corpus/music")
    args = parser.parse_args()
    bundle = load_music_model(resolve_model(args.model, DEFAULT_MODEL))
    _, splits = load_corpus(args.corpus)
    quantized = copy.deepcopy(bundle.model)
    quantized.lstm, quantized.head = int8_reference(bundle.model.lstm, bundle.model.head)
    cpu = torch.device("cpu")
    result = {}
    for split in ("valid", "test"):
        sequences = splits[split].sequences()
        result[split] = {name: round(sequence_nll(model, sequences, cpu).nll, 5)
                         for name, model in (("fp32", bundle.model), ("int8", quantized))}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
