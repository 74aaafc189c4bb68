"""Transcripts: timed words grouped into subtitle-sized segments, written as TXT, SRT, WebVTT or JSON.

Times are seconds from the start of the audio. Every writer accepts an empty transcript (pure silence)
and still produces a valid file of its format: an empty TXT/SRT, a bare ``WEBVTT`` header, JSON with
no segments. Files are written atomically and never replace an existing file unless asked.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from seqstudio.core.atomic import atomic_write_text
from seqstudio.core.errors import SeqStudioError

FORMATS = ("txt", "srt", "vtt", "json")
JSON_FORMAT = "seqstudio-transcript"
JSON_VERSION = 1


def _check_times(kind: str, start: float, end: float) -> None:
    if not (math.isfinite(start) and math.isfinite(end) and 0 <= start <= end):
        raise ValueError(f"{kind} times must be finite with 0 <= start <= end, got {start}..{end}")


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    confidence: float | None = None  # in [0, 1] when the decoder gives one

    def __post_init__(self) -> None:
        _check_times("word", self.start, self.end)


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()

    def __post_init__(self) -> None:
        _check_times("segment", self.start, self.end)
        object.__setattr__(self, "words", tuple(self.words))  # a list argument would make it mutable


def segment_words(
    words: Iterable[Word], max_chars: int = 80, max_gap_s: float = 0.8, max_duration_s: float = 7.0
) -> list[Segment]:
    """Group time-ordered words into segments that read well as subtitles.

    A new segment starts after a pause longer than ``max_gap_s`` (where a speaker breathes or a new
    speaker starts), or when the next word would make the text longer than ``max_chars`` (two subtitle
    lines of ~40) or the segment longer than ``max_duration_s``. A single word over the limits gets a
    segment of its own. Words with blank text are skipped.
    """
    if max_chars < 1 or max_gap_s < 0 or max_duration_s <= 0:
        raise ValueError("need max_chars >= 1, max_gap_s >= 0 and max_duration_s > 0")
    segments: list[Segment] = []
    current: list[Word] = []
    chars = 0
    last_start = -math.inf
    for word in words:
        text = word.text.strip()
        if not text:
            continue
        if word.start < last_start:
            raise ValueError("words must be in time order")
        last_start = word.start
        if current and (
            word.start - current[-1].end > max_gap_s
            or chars + 1 + len(text) > max_chars
            or word.end - current[0].start > max_duration_s
        ):
            segments.append(_segment(current))
            current, chars = [], 0
        current.append(word)
        chars += len(text) + (1 if chars else 0)
    if current:
        segments.append(_segment(current))
    return segments


def _segment(words: Sequence[Word]) -> Segment:
    text = " ".join(w.text.strip() for w in words)
    return Segment(words[0].start, max(w.end for w in words), text, tuple(words))


# -- writers -------------------------------------------------------------------------------------


def _timestamp(seconds: float, separator: str) -> str:
    """HH:MM:SS,mmm (SRT) or HH:MM:SS.mmm (VTT); hours grow past two digits rather than wrap."""
    ms = int(math.floor(seconds * 1000 + 0.5))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def _cue_text(text: str) -> str:
    """A blank line ends a cue in SRT and VTT, so a cue's text never contains one."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _cues(segments: Iterable[Segment]) -> list[tuple[Segment, str]]:
    return [(s, t) for s in segments if (t := _cue_text(s.text))]


def to_txt(segments: Iterable[Segment]) -> str:
    """Plain text, one segment per line."""
    return "".join(f"{' '.join(text.split())}\n" for _, text in _cues(segments))


def to_srt(segments: Iterable[Segment]) -> str:
    """SubRip: numbered cues (from 1) with ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` and a blank line between."""
    blocks = [
        f"{i}\n{_timestamp(s.start, ',')} --> {_timestamp(s.end, ',')}\n{text}\n"
        for i, (s, text) in enumerate(_cues(segments), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(segments: Iterable[Segment]) -> str:
    """WebVTT: the ``WEBVTT`` header, then cues with ``HH:MM:SS.mmm`` times. ``&``, ``<`` and ``>`` are
    escaped, because VTT cue text is markup (and "-->" would end the cue's timing line)."""
    out = ["WEBVTT\n"]
    for s, text in _cues(segments):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        out.append(f"\n{_timestamp(s.start, '.')} --> {_timestamp(s.end, '.')}\n{text}\n")
    return "".join(out)


def _ms(seconds: float) -> float:
    return round(seconds, 3)


def to_json(segments: Iterable[Segment], alternatives: Sequence[dict] | None = None) -> str:
    """``{"format", "version", "text", "segments": [{start, end, text, words: [{text, start, end,
    confidence}]}]}`` with times in seconds rounded to the millisecond; read back by :func:`from_json`.

    ``alternatives`` (n-best decoding) adds ``"alternatives": [{start, end, hypotheses: [{text, score}]}]``,
    one entry per decoded stretch of audio, best hypothesis first."""
    segments = list(segments)
    data = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "text": " ".join(" ".join(s.text.split()) for s in segments if s.text.strip()),
        "segments": [
            {
                "start": _ms(s.start),
                "end": _ms(s.end),
                "text": s.text,
                "words": [
                    {
                        "text": w.text,
                        "start": _ms(w.start),
                        "end": _ms(w.end),
                        "confidence": None if w.confidence is None else round(w.confidence, 4),
                    }
                    for w in s.words
                ],
            }
            for s in segments
        ],
    }
    if alternatives:
        data["alternatives"] = [
            {"start": _ms(a["start"]), "end": _ms(a["end"]),
             "hypotheses": [{"text": text, "score": round(score, 3)} for text, score in a["hypotheses"]]}
            for a in alternatives
        ]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def from_json(text: str) -> list[Segment]:
    """Segments from :func:`to_json` output; anything else is a one-line :class:`SeqStudioError`."""
    try:
        data = json.loads(text)
        if data.get("format") != JSON_FORMAT or data.get("version") != JSON_VERSION:
            raise SeqStudioError(f"not a {JSON_FORMAT} version {JSON_VERSION} file")
        return [
            Segment(
                float(s["start"]),
                float(s["end"]),
                str(s["text"]),
                tuple(
                    Word(
                        str(w["text"]),
                        float(w["start"]),
                        float(w["end"]),
                        None if w.get("confidence") is None else float(w["confidence"]),
                    )
                    for w in s["words"]
                ),
            )
            for s in data["segments"]
        ]
    except SeqStudioError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SeqStudioError(
            f"malformed transcript JSON ({type(exc).__name__}: {' '.join(str(exc).split())})"
        ) from None


_WRITERS = {"txt": to_txt, "srt": to_srt, "vtt": to_vtt, "json": to_json}


def render(segments: Iterable[Segment], fmt: str, alternatives: Sequence[dict] | None = None) -> str:
    """The transcript as text in ``fmt`` (one of :data:`FORMATS`); ``alternatives`` go into json only."""
    fmt = fmt.lower().lstrip(".")
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise SeqStudioError(f"unknown transcript format {fmt!r} (choose from {', '.join(FORMATS)})")
    return to_json(segments, alternatives) if fmt == "json" else writer(segments)


def write_transcript(
    path: str | os.PathLike, segments: Iterable[Segment], fmt: str | None = None, overwrite: bool = False,
    alternatives: Sequence[dict] | None = None,
) -> Path:
    """Write ``segments`` to ``path`` in ``fmt`` (default: from the file's extension), atomically (UTF-8).

    Refuses to replace an existing file unless ``overwrite``; a failure leaves no partial file.
    """
    path = Path(path)
    if fmt is None:
        fmt = path.suffix
        if not fmt:
            raise SeqStudioError(f"{path} has no extension to tell the format; choose one of {', '.join(FORMATS)}")
    text = render(segments, fmt, alternatives)
    return atomic_write_text(path, text, overwrite=overwrite)
