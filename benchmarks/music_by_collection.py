"""NLL per event on the test split, per collection, for a music model and the n-gram baseline.

    python benchmarks/music_by_collection.py [--model default] [--corpus data/corpus/music] [--order 7]

The n-gram is fitted on the whole train split (as `seqstudio eval ngram` does) at the given order; both
models score exactly the same test sequences, so each row is a like-for-like comparison.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

from seqstudio.core.models import resolve_model
from seqstudio.music.bundle import load_music_model
from seqstudio.music.composer import DEFAULT_MODEL
from seqstudio.music.corpus import load_corpus
from seqstudio.music.evaluate import sequence_nll
from seqstudio.music.ngram import NGramModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="default")
    parser.add_argument("--corpus", default="data/corpus/music")
    parser.add_argument("--order", type=int, default=7)
    args = parser.parse_args()
    bundle = load_music_model(resolve_model(args.model, DEFAULT_MODEL))
    _, splits = load_corpus(args.corpus)
    ids = [line for line in (Path(args.corpus) / "test.pieces.txt").read_text().splitlines() if line]
    test = splits["test"].sequences()
    groups: dict[str, list[int]] = defaultdict(list)
    for i, piece in enumerate(ids):
        groups[piece.split(":", 1)[1].split("/", 1)[0]].append(i)
    ngram = NGramModel(args.order, bundle.tokenizer.vocab_size).fit(splits["train"].sequences())
    print(f"{'collection':<22}{'pieces':>7}{'events':>10}{'LSTM':>8}{f'{args.order}-gram':>9}{'ratio':>7}")
    rows = sorted(groups.items(), key=lambda kv: -len(kv[1])) + [("all", list(range(len(test))))]
    for name, members in rows:
        seqs = [test[i] for i in members]
        lstm = sequence_nll(bundle.model, [s.astype(np.int64) for s in seqs], torch.device("cpu"))
        total, count = ngram.nll(seqs)
        print(f"{name:<22}{len(seqs):>7}{lstm.events:>10}{lstm.nll:>8.3f}{total / count:>9.3f}"
              f"{lstm.nll / (total / count):>7.2f}")


if __name__ == "__main__":
    main()
