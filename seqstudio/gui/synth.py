"""MIDI -> WAV for listening and export: FluidSynth with a General MIDI SoundFont when installed, else a
built-in synth (pretty_midi's additive one: plain, but always there). Qt-free."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from seqstudio.core.atomic import atomic_write
from seqstudio.core.errors import SeqStudioError
from seqstudio.core.progress import Progress

SOUNDFONT_ENV = "SEQSTUDIO_SOUNDFONT"
SOUNDFONTS = ("/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/default-GM.sf2",
              "/usr/share/soundfonts/default.sf2", "/usr/share/soundfonts/FluidR3_GM.sf2")


def find_soundfont() -> Path | None:
    candidates = [os.environ.get(SOUNDFONT_ENV, ""), *SOUNDFONTS]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


def synth_name() -> str:
    """Which synth :func:`render_midi` will use here."""
    if shutil.which("fluidsynth") and find_soundfont():
        return "FluidSynth"
    return "built-in synth"


def _fluidsynth(midi, out: Path, sample_rate: int, progress: Progress) -> None:
    soundfont = find_soundfont()
    with tempfile.TemporaryDirectory(prefix="seqstudio-") as tmp:
        src = Path(tmp) / "in.mid"
        midi.write(str(src))
        command = ["fluidsynth", "-ni", "-q", "-g", "0.7", "-r", str(sample_rate), "-T", "wav", "-F", str(out),
                   str(soundfont), str(src)]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            while process.poll() is None:
                try:
                    process.wait(timeout=0.1)
                except subprocess.TimeoutExpired:
                    progress.check()  # a cancelled render stops FluidSynth, then raises
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        if process.returncode != 0 or not out.exists():
            err = process.stderr.read().decode(errors="replace").strip().splitlines() if process.stderr else []
            raise SeqStudioError(f"FluidSynth failed to render ({err[-1] if err else process.returncode})")


def _builtin(midi, out: Path, sample_rate: int, progress: Progress) -> None:
    import soundfile as sf

    audio = np.zeros(int(midi.get_end_time() * sample_rate) + sample_rate // 2, dtype=np.float64)
    for inst in midi.instruments:
        progress.check()
        if inst.is_drum or not inst.notes:
            continue
        wave = inst.synthesize(fs=sample_rate)
        audio[: len(wave)] += wave[: len(audio)]
    peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
    if peak > 0:
        audio *= 0.8 / peak
    sf.write(str(out), audio.astype(np.float32), sample_rate, format="WAV", subtype="PCM_16")


def render_midi(midi, path: Path, progress: Progress | None = None, sample_rate: int = 32000,
                overwrite: bool = True) -> tuple[Path, str]:
    """Write ``midi`` (a PrettyMIDI) as a 16-bit WAV at ``path``, atomically; returns (path, synth name)."""
    progress = progress or Progress()
    name = synth_name()
    render = _fluidsynth if name == "FluidSynth" else _builtin
    atomic_write(path, lambda tmp: render(midi, Path(tmp), sample_rate, progress), overwrite=overwrite)
    return Path(path), name
