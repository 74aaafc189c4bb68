"""``seqstudio eval speech``: WER and CER of a speech model on a manifest, greedy and with a language model,
and the real-time factor, so a user can test a model on their own recordings.

The model runs once per utterance; greedy decoding and beam search with the LM both read its output, so
the two are compared on the very same log-probs. References and hypotheses are compared after
:func:`~seqstudio.speech.text.normalize_text` (the model's own spelling: "Dr. Smith paid $5" is "doctor
smith paid five dollars"); rates are corpus-level (total edits / total reference units).
The real-time factor is wall time (reading, resampling, features, model, that variant's decoding) over
audio time, for the whole manifest; model loading is not counted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seqstudio.core.errors import SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.speech.decode import cer, wer
from seqstudio.speech.manifest import read_manifest
from seqstudio.speech.text import normalize_text
from seqstudio.speech.transcriber import Transcriber


@dataclass
class VariantScore:
    name: str  # "greedy", "beam", "lm"
    wer: float
    cer: float
    compute_s: float
    audio_s: float

    @property
    def real_time_factor(self) -> float:
        return self.compute_s / self.audio_s if self.audio_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"wer": round(self.wer, 4), "cer": round(self.cer, 4), "real_time_factor":
                round(self.real_time_factor, 5), "compute_s": round(self.compute_s, 3)}


@dataclass
class SpeechEval:
    manifest: Path
    utterances: int  # scored
    audio_s: float
    scores: list[VariantScore]
    skipped: list[str] = field(default_factory=list)  # one line per utterance that could not be transcribed
    lm: str | None = None
    examples: list[dict[str, str]] = field(default_factory=list)  # a few (reference, hypothesis) pairs

    def to_dict(self) -> dict[str, Any]:
        return {"manifest": str(self.manifest), "utterances": self.utterances, "audio_s": round(self.audio_s, 3),
                "lm": self.lm, "results": {s.name: s.to_dict() for s in self.scores}, "skipped": self.skipped,
                "examples": self.examples}


def evaluate_speech(transcriber: Transcriber, manifest: str | os.PathLike, *, variants: dict[str, Any] | None = None,
                    limit: int | None = None, progress: Progress | None = None, examples: int = 3) -> SpeechEval:
    """Score ``transcriber`` on the utterances of ``manifest`` (the first ``limit`` of them).

    ``variants`` maps a name to decoding options (``None`` = greedy); default ``{"greedy": None}``.
    An utterance whose audio cannot be read is listed in ``skipped`` and left out of every score.
    """
    if limit is not None and limit < 1:
        raise SeqStudioError("--limit must be at least 1")
    utterances = read_manifest(manifest)[:limit]
    variants = dict(variants or {"greedy": None})
    names = list(variants)
    refs: list[str] = []
    hyps: dict[str, list[str]] = {n: [] for n in names}
    compute = dict.fromkeys(names, 0.0)
    audio_s = 0.0
    skipped: list[str] = []
    for result in transcriber.iter_transcribe([u.audio for u in utterances], progress=progress,
                                              variants=list(variants.values())):
        if result.error is not None:
            skipped.append(str(result.error))
            continue
        refs.append(normalize_text(utterances[result.index].text))
        audio_s += result.transcripts[0].duration_s
        for name, transcript in zip(names, result.transcripts, strict=True):
            hyps[name].append(transcript.text)
            compute[name] += transcript.compute_s
    if not refs:
        raise SeqStudioError(f"{manifest}: no utterance could be transcribed (e.g. {skipped[0]})")
    scores = [VariantScore(n, wer(refs, hyps[n]), cer(refs, hyps[n]), compute[n], audio_s) for n in names]
    shown = [{"reference": r, **{n: hyps[n][i] for n in names}} for i, r in enumerate(refs[:examples])]
    return SpeechEval(Path(manifest), len(refs), audio_s, scores, skipped, examples=shown)


def format_report(result: SpeechEval) -> list[str]:
    lines = [f"{result.manifest}: {result.utterances} utterances, {result.audio_s / 60:.1f} min of audio"
             + (f", language model {result.lm}" if result.lm else "")]
    lines.append(f"{'decoding':<10}{'WER':>9}{'CER':>9}{'RTF':>10}")
    for s in result.scores:
        lines.append(f"{s.name:<10}{100 * s.wer:>8.2f}%{100 * s.cer:>8.2f}%{s.real_time_factor:>10.4f}")
    for example in result.examples:
        lines.append(f"  ref:    {example['reference']}")
        for name in (s.name for s in result.scores):
            lines.append(f"  {name + ':':<8}{example[name]}")
    if result.skipped:
        lines.append(f"skipped {len(result.skipped)} utterance(s) whose audio could not be read, e.g. "
                     f"{result.skipped[0]}")
    return lines
