"""Rebuild the seed MIDI files in this folder: `python data/seeds/make_seeds.py`.

- chorale_quartet.mid: J.S. Bach, chorale BWV 16.6, from the music21 corpus (a test-split piece, never
  trained on), first 8 bars, voiced for a woodwind quartet (flute, oboe, clarinet, bassoon) so that the
  seed has four different instruments.
- folk_reel.mid: "Acacia Reel" from Ryan's Mammoth Collection (1883) in the music21 corpus (test split),
  first 8 bars, fiddle.
- groove_trio.mid: written by this script — a I-vi-IV-V progression in G for electric piano chords,
  finger bass and a vibraphone melody over a drum kit (the drums are kept in output, not continued).

The compositions are in the public domain (Bach, 1724; Ryan's Mammoth, 1883) or made here; the music21
corpus that encodes them is distributed under the BSD 3-Clause licence.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pretty_midi

HERE = Path(__file__).resolve().parent


def _from_music21(corpus_path: str, bars: int, programs: list[int], names: list[str]) -> pretty_midi.PrettyMIDI:
    from music21 import corpus
    from music21.midi import translate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = corpus.parse(corpus_path).measures(0, bars)
        midi = pretty_midi.PrettyMIDI(io.BytesIO(translate.streamToMidiFile(score).writestr()))
    pitched = [i for i in midi.instruments if i.notes]
    for inst, program, name in zip(pitched, programs, names, strict=True):
        inst.program, inst.name = program, name
    midi.instruments = pitched
    return midi


def groove_trio() -> pretty_midi.PrettyMIDI:
    bpm = 100.0
    beat = 60.0 / bpm
    midi = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    keys = pretty_midi.Instrument(program=4, name="Electric Piano")
    bass = pretty_midi.Instrument(program=33, name="Finger Bass")
    vibes = pretty_midi.Instrument(program=11, name="Vibraphone")
    drums = pretty_midi.Instrument(program=0, is_drum=True, name="Drums")
    chords = [(55, [59, 62, 67]), (52, [59, 64, 67]), (48, [60, 64, 67]), (50, [57, 62, 66])]  # G Em C D
    melody = [71, 74, 76, 74, 72, 71, 69, 67, 71, 72, 74, 76, 74, 72, 71, 69]
    for bar in range(8):
        t0 = bar * 4 * beat
        root, chord = chords[bar % 4]
        for b in (0, 2):
            for p in chord:
                keys.notes.append(pretty_midi.Note(72, p, t0 + b * beat, t0 + (b + 1.8) * beat))
        for b, offset in ((0, 0), (1.5, 7), (2, 12), (3, 7)):
            bass.notes.append(pretty_midi.Note(90, root - 12 + offset, t0 + b * beat, t0 + (b + 0.45) * beat))
        for i in range(2):
            p = melody[(bar * 2 + i) % len(melody)]
            vibes.notes.append(pretty_midi.Note(85, p, t0 + i * 2 * beat, t0 + (i * 2 + 1.5) * beat))
        for b in range(8):
            t = t0 + b * beat / 2
            drums.notes.append(pretty_midi.Note(70, 42, t, t + 0.1))  # closed hi-hat
            if b in (0, 4):
                drums.notes.append(pretty_midi.Note(100, 36, t, t + 0.1))  # kick
            if b in (2, 6):
                drums.notes.append(pretty_midi.Note(95, 38, t, t + 0.1))  # snare
    midi.instruments = [keys, bass, vibes, drums]
    return midi


def main() -> None:
    seeds = {
        "chorale_quartet.mid": _from_music21("bach/bwv16.6.mxl", 8, [73, 68, 71, 70],
                                             ["Flute", "Oboe", "Clarinet", "Bassoon"]),
        "folk_reel.mid": _from_music21("ryansMammoth/AcaciaReel.abc", 8, [40], ["Fiddle"]),
        "groove_trio.mid": groove_trio(),
    }
    for name, midi in seeds.items():
        midi.write(str(HERE / name))
        print(f"{name}: {midi.get_end_time():.1f} s, "
              + ", ".join(f"{i.name or pretty_midi.program_to_instrument_name(i.program)} ({len(i.notes)})"
                          for i in midi.instruments))


if __name__ == "__main__":
    main()
