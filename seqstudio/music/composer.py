"""The Python API for composing: ``Composer.load(...).continue_midi(seed, seconds=20)``.

The CLI and the app walk this same path: validate -> tokenise -> model -> sample -> write.
"""

from __future__ import annotations

import functools
import os
from dataclasses import replace
from pathlib import Path

import pretty_midi
import torch

from seqstudio.core.atomic import atomic_write_many, check_writable
from seqstudio.core.device import resolve_device
from seqstudio.core.progress import Progress
from seqstudio.music.bundle import MusicBundle, load_music_model
from seqstudio.music.generate import Take, continue_score
from seqstudio.music.midi_io import check_timing, load_midi, midi_bytes, to_score
from seqstudio.music.options import GenerateOptions

DEFAULT_MODEL = "music-default"


class Composer:
    """A loaded music model on a device. Thread-compatible: one generation at a time per instance."""

    def __init__(self, bundle: MusicBundle, device: torch.device) -> None:
        self.bundle = bundle
        self.device = device
        bundle.model.to(device)

    @classmethod
    def load(cls, model: str | os.PathLike = "default", device: str = "auto") -> Composer:
        """``model``: a model folder, a name under ``models/``, or ``"default"``."""
        from seqstudio.core.models import resolve_model

        dev = resolve_device(device)
        return cls(load_music_model(resolve_model(str(model), DEFAULT_MODEL)), dev)

    def continue_midi(self, seed: str | os.PathLike | pretty_midi.PrettyMIDI,
                      options: GenerateOptions | None = None, progress: Progress | None = None,
                      **overrides) -> list[Take]:
        """Continue ``seed`` (a path or a PrettyMIDI); ``overrides`` are GenerateOptions fields."""
        options = replace(options or GenerateOptions(), **overrides)
        options.validate()
        name = str(seed) if not isinstance(seed, pretty_midi.PrettyMIDI) else "seed"
        if isinstance(seed, pretty_midi.PrettyMIDI):
            check_timing(seed, name)  # a file gets this check in load_midi
            midi = seed
        else:
            midi = load_midi(seed)
        score = to_score(midi, self.bundle.tokenizer.config.max_tracks, name)
        return continue_score(self.bundle, score, options, self.device, progress)


def output_paths(out: str | os.PathLike, variations: int) -> list[Path]:
    """``out.mid`` for one take; ``out-1.mid``, ``out-2.mid``, ... for several."""
    out = Path(out)
    if variations == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{i}{out.suffix or '.mid'}") for i in range(1, variations + 1)]


def check_outputs(paths: list[Path], overwrite: bool) -> None:
    for p in paths:
        check_writable(p, overwrite)


def write_takes(takes: list[Take], paths: list[Path], overwrite: bool = False) -> list[Path]:
    """Write every take, all or none (a failure on the third leaves no first and second behind)."""
    items = [(Path(p), functools.partial(Path.write_bytes, data=midi_bytes(t.midi)))
             for t, p in zip(takes, paths, strict=True)]
    return atomic_write_many(items, overwrite=overwrite)
