"""Reading MIDI files safely and turning them into track-slot notes (and back).

Every way a MIDI file can be wrong ends here in one :class:`SeqStudioError` line: not a MIDI file,
truncated, no notes, drums only, absurd tempo, absurd length.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pretty_midi

from seqstudio.core.errors import SeqStudioError
from seqstudio.music.tokenizer import Note

MIN_BPM = 10.0
MAX_BPM = 1000.0
MAX_SECONDS = 4 * 3600.0
MAX_BYTES = 64 * 1024 * 1024


@dataclass
class Score:
    """A MIDI file seen as the model sees it: pitched voices in slots, drums aside."""

    midi: pretty_midi.PrettyMIDI
    slots: list[pretty_midi.Instrument]  # the instrument each track slot writes to
    notes: list[Note]  # every pitched note, its track = slot index
    drums: list[pretty_midi.Instrument] = field(default_factory=list)

    @property
    def end_time(self) -> float:
        return max((n.end for n in self.notes), default=0.0)


def parse_midi_bytes(data: bytes, name: str = "MIDI data") -> pretty_midi.PrettyMIDI:
    if len(data) < 14 or data[:4] != b"MThd":
        raise SeqStudioError(f"{name} is not a MIDI file (no MThd header)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            midi = pretty_midi.PrettyMIDI(io.BytesIO(data))
    except Exception as exc:  # mido/pretty_midi raise many kinds on broken files
        reason = str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__
        raise SeqStudioError(f"{name} is not a readable MIDI file: truncated or corrupt ({reason})") from None
    check_timing(midi, name)
    return midi


def load_midi(path: str | os.PathLike) -> pretty_midi.PrettyMIDI:
    """Load and validate a MIDI file, or raise a one-line :class:`SeqStudioError`."""
    path = Path(path)
    if not path.exists():
        raise SeqStudioError(f"{path} does not exist")
    if not path.is_file():
        raise SeqStudioError(f"{path} is not a file")
    if path.stat().st_size > MAX_BYTES:
        raise SeqStudioError(f"{path} is larger than {MAX_BYTES // 2**20} MiB; that is not a sane MIDI file")
    return parse_midi_bytes(path.read_bytes(), str(path))


def check_timing(midi: pretty_midi.PrettyMIDI, name: str) -> None:
    _, tempi = midi.get_tempo_changes()
    for bpm in tempi:
        if not (MIN_BPM <= bpm <= MAX_BPM):
            raise SeqStudioError(
                f"{name} has an absurd tempo of {bpm:.4g} BPM (accepted: {MIN_BPM:g}-{MAX_BPM:g})"
            )
    end = midi.get_end_time()
    if end > MAX_SECONDS:
        raise SeqStudioError(f"{name} lasts {end / 3600:.1f} hours; the limit is {MAX_SECONDS / 3600:g} hours")


def to_score(midi: pretty_midi.PrettyMIDI, max_tracks: int, name: str = "MIDI data") -> Score:
    """Assign pitched instruments to slots in file order; voices past ``max_tracks`` share the last slot.

    Raises when there is nothing the model can continue: no notes at all, or drums only.
    """
    pitched = [inst for inst in midi.instruments if not inst.is_drum and inst.notes]
    drums = [inst for inst in midi.instruments if inst.is_drum and inst.notes]
    if not pitched:
        if drums:
            raise SeqStudioError(
                f"{name} has only drum tracks; SeqStudio continues pitched instruments (drums are kept, not composed)"
            )
        raise SeqStudioError(f"{name} has no notes")
    slots = pitched[:max_tracks]
    notes = []
    for index, inst in enumerate(pitched):
        slot = min(index, max_tracks - 1)
        for n in inst.notes:
            if n.end > n.start:
                notes.append(Note(slot, int(n.pitch), float(n.start), float(n.end), int(n.velocity)))
    if not notes:
        raise SeqStudioError(f"{name} has no notes of positive length")
    notes.sort(key=lambda n: (n.start, n.track, n.pitch))
    return Score(midi=midi, slots=slots, notes=notes, drums=drums)


def window(notes: list[Note], start: float, end: float | None = None) -> list[Note]:
    """Notes that begin in [start, end), re-timed so that ``start`` is 0."""
    return [
        Note(n.track, n.pitch, n.start - start, n.end - start, n.velocity)
        for n in notes
        if n.start >= start and (end is None or n.start < end)
    ]


def stretch(notes: list[Note], factor: float) -> list[Note]:
    """Tempo stretch: every time multiplied by ``factor`` (> 1 is slower)."""
    return [Note(n.track, n.pitch, n.start * factor, n.end * factor, n.velocity) for n in notes]


def midi_bytes(midi: pretty_midi.PrettyMIDI) -> bytes:
    buffer = io.BytesIO()
    midi.write(buffer)
    return buffer.getvalue()
