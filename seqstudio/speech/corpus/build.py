"""``seqstudio data speech``: a speech corpus synthesised by offline English voices, then augmented.

Output folder::

    summary.json            spec, its key, the synthesisers' versions, counts and hours per split, voices per split
    train.jsonl, valid.jsonl, test.jsonl      manifests (see seqstudio.speech.manifest)
    wav/<split>/<unit>/<n>.wav                16 kHz mono 16-bit
    parts/<split>-<unit>.jsonl                one finished work unit each (what makes the build resumable)

Pairing: each split's sentences (split by hash of the text, :func:`sentence_split`) are read by that
split's voices (split by speaker, :mod:`voices`), so no sentence and no speaker is in two splits. A
voice group is one (engine, speaker) - e.g. flite's Kal, festival's Kal, one espeak-ng accent - and every
group reads the same share of a split, so the few recorded voices are not drowned by espeak-ng's
hundreds of variants. Rate and pitch are drawn per utterance from the voice's range; the train split is
then augmented (:mod:`augment`, including the voice shift that turns a recorded voice into another
speaker); valid and test stay clean, so the held-out numbers are about voices.

Work is cut into units of at most 64 utterances of one voice (one festival process each). A unit is
written whole - its audio files, then its part manifest, atomically - so an interrupted build resumes
where it stopped, and a finished build with the same spec returns at once.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from seqstudio.core.atomic import atomic_write_text
from seqstudio.core.builds import finished_summary, start_or_resume
from seqstudio.core.errors import SeqStudioError
from seqstudio.core.pool import run_in_processes
from seqstudio.core.progress import Progress
from seqstudio.speech.corpus.augment import NO_AUGMENT, AugmentConfig, augment, speed, voice_shift_plan
from seqstudio.speech.corpus.sentences import DEFAULT_SOURCES, collect_sentences, split_sentences
from seqstudio.speech.corpus.voices import (
    SPLITS,
    VOICES,
    Voice,
    available_voices,
    default_voices,
    engine_versions,
    missing_reason,
)

SAMPLE_RATE = 16000
UNIT_SIZE = 64
FORMAT = 1


@dataclass(frozen=True)
class SpeechCorpusSpec:
    train: int = 16000  # utterances per split
    valid: int = 400
    test: int = 600
    sources: tuple[str, ...] = DEFAULT_SOURCES
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    voices: tuple[str, ...] = ()  # voice ids to use (empty: every installed espeak-ng, flite and festival voice)
    max_seconds: float = 16.0  # longer utterances are dropped (training batches are sized by seconds)
    seed: int = 0

    def __post_init__(self) -> None:
        for split in SPLITS:
            if getattr(self, split) < 0:
                raise ValueError(f"{split} must be a non-negative number of utterances")
        if not self.max_seconds > 0:
            raise ValueError("max_seconds must be positive")

    def count(self, split: str) -> int:
        return getattr(self, split)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["augment"] = self.augment.to_dict()
        data["sources"], data["voices"] = list(self.sources), list(self.voices)
        return data

    def key(self) -> str:
        blob = json.dumps({"format": FORMAT, **self.to_dict()}, sort_keys=True)
        return hashlib.sha1(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Unit:
    split: str
    index: int
    voice: str
    items: tuple[tuple[int, str], ...]  # (utterance number within the split, sentence)

    @property
    def name(self) -> str:
        return f"{self.index:05d}"


def _groups(voices: Sequence[Voice]) -> list[list[Voice]]:
    by_group: dict[tuple[str, str], list[Voice]] = defaultdict(list)
    for v in voices:
        by_group[(v.engine, v.speaker)].append(v)
    return [by_group[k] for k in sorted(by_group)]


def plan_units(spec: SpeechCorpusSpec, sentences: dict[str, list[str]], voices: Sequence[Voice]) -> list[Unit]:
    """The whole corpus as work units, a pure function of the spec, sentences and voices."""
    units: list[Unit] = []
    for split_number, split in enumerate(SPLITS):
        count = spec.count(split)
        if count == 0:
            continue
        pool = sentences[split]
        groups = _groups([v for v in voices if v.split == split])
        if not pool:
            raise SeqStudioError(f"no sentences for the {split} split")
        if not groups:
            raise SeqStudioError(f"no installed voice belongs to the {split} split (run scripts/setup.sh)")
        rng = np.random.default_rng([spec.seed, split_number])
        by_voice: dict[str, list[tuple[int, str]]] = defaultdict(list)
        order = rng.permutation(len(pool))
        for n in range(count):
            group = groups[n % len(groups)]
            voice = group[int(rng.integers(len(group)))]
            by_voice[voice.id].append((n, pool[int(order[n % len(pool)])]))
        index = 0
        for voice_id in sorted(by_voice):
            items = by_voice[voice_id]
            for start in range(0, len(items), UNIT_SIZE):
                units.append(Unit(split, index, voice_id, tuple(items[start:start + UNIT_SIZE])))
                index += 1
    return units


def _run_unit(out: str, unit: Unit, spec_dict: dict, seed: int) -> tuple[str, int, str | None]:
    """Synthesise, augment and write one unit; returns (unit id, utterances written, error or None)."""
    from seqstudio.speech.corpus.synth import kokoro_mix_weights, synthesize_many
    from seqstudio.speech.corpus.voices import KOKORO_MIX, get_voice

    out_dir = Path(out)
    part = out_dir / "parts" / f"{unit.split}-{unit.name}.jsonl"
    if part.exists():
        return part.name, -1, None
    voice = get_voice(unit.voice)
    rng = np.random.default_rng([seed, SPLITS.index(unit.split), unit.index])
    texts = [text for _, text in unit.items]
    rates = [float(rng.uniform(*voice.rate_range)) for _ in texts]
    pitches = [float(rng.uniform(*voice.pitch_range)) for _ in texts]
    config = AugmentConfig.from_dict(spec_dict["augment"]) if unit.split == "train" else NO_AUGMENT
    shifts = voice_shift_plan(rng, config, len(texts), voice.natural, voice.pitch_control)
    # a shifted utterance (factor a, pitch asked) is read 1/a as fast at the asked pitch and played a times as
    # fast below: the tempo is kept and the pitch heard is asked x a. rates/pitches record what is heard (before
    # the augment chain, whose speed factor is in "augment").
    synth_rates, synth_pitches = list(rates), list(pitches)
    for i, shift in enumerate(shifts):
        if shift is not None:
            factor, asked = shift
            synth_rates[i], synth_pitches[i], pitches[i] = rates[i] / factor, asked, asked * factor
    try:
        audios = synthesize_many(texts, voice, synth_rates, synth_pitches, SAMPLE_RATE)
    except SeqStudioError as exc:
        return part.name, 0, str(exc)
    wav_dir = out_dir / "wav" / unit.split / unit.name
    wav_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    mixed = voice.id == f"kokoro:{KOKORO_MIX}"
    for (number, text), audio, rate, synth_rate, pitch, shift in zip(unit.items, audios, rates, synth_rates, pitches,
                                                                     shifts, strict=True):
        if shift is not None:
            audio = speed(audio, shift[0])
        audio, applied = augment(audio, rng, config)
        if shift is not None:
            applied = {"shift": round(shift[0], 3), **applied}
        seconds = len(audio) / SAMPLE_RATE
        if seconds > spec_dict["max_seconds"] or seconds < 0.3:
            continue
        wav = wav_dir / f"{number:06d}.wav"
        sf.write(str(wav), audio, SAMPLE_RATE, subtype="PCM_16")
        rows.append({"audio": wav.relative_to(out_dir).as_posix(), "text": text, "duration": round(seconds, 3),
                     "speaker": voice.speaker, "voice": voice.id, "rate": round(rate, 3), "pitch": round(pitch, 3),
                     "augment": applied})
        if mixed:  # the style weights it was read with (a function of text and synthesis rate, kept to be seen)
            rows[-1]["mix"] = {name: round(w, 4) for name, w in kokoro_mix_weights(text, synth_rate).items()}
    atomic_write_text(part, "".join(json.dumps(r) + "\n" for r in rows), overwrite=True)
    return part.name, len(rows), None


def build_speech_corpus(out: str | os.PathLike, spec: SpeechCorpusSpec, workers: int = 2,
                        progress: Progress | None = None, log=print) -> dict:
    """Build (or resume, or find finished) the corpus in ``out``; returns its summary."""
    progress = progress or Progress()
    out_dir = Path(out)
    key = spec.key()
    summary_path = out_dir / "summary.json"
    finished = finished_summary(out_dir, key, "holds a corpus built with other settings")
    if finished is not None:
        log(f"{out_dir} already holds this corpus")
        return finished
    voices = available_voices(verify=True)
    if spec.voices:
        wanted = set(spec.voices)
        voices = [v for v in voices if v.id in wanted]
        missing = sorted(wanted - {v.id for v in voices})
        if missing:
            why = [missing_reason(v) for v in VOICES if v.id in missing]
            raise SeqStudioError(f"voice(s) not installed or unknown: {', '.join(missing)}"
                                 + "".join(f"; {w}" for w in why if w))  # fmt: skip
    else:  # the neural (Piper) voices only when named, so the default corpus is the same with or without them
        voices = default_voices(voices)
    if spec.augment.p_shift > 0 and spec.train > 0 and not any(v.natural and v.split == "train" for v in voices):
        log("note: --voice-shift changes only recorded voices (flite, festival, Piper), and none reads the train split")
    # the plan depends on which voices are installed here, so a resume must see the same ones
    voice_ids = [v.id for v in voices]
    engines = engine_versions(voices)
    started = start_or_resume(out_dir, key, {"key": key, "spec": spec.to_dict(), "voices": voice_ids,
                                             "engines": engines})
    if started.get("voices") != voice_ids:
        raise SeqStudioError(f"{out_dir} was started with other installed voices ({len(started.get('voices', []))} "
                             f"then, {len(voice_ids)} now); finish it where it started, or choose another --out")
    then = started.get("engines", engines)
    if "engines" not in started:  # begun before versions were recorded: from now on, these are checked
        atomic_write_text(out_dir / "spec.json", json.dumps({**started, "engines": engines}, indent=1), overwrite=True)
    if changed := sorted(name for name in then.keys() | engines.keys() if then.get(name) != engines.get(name)):
        first = changed[0]
        raise SeqStudioError(f"{out_dir} was started with other synthesiser versions ({first} "
                             f"{then.get(first, 'absent')} then, {engines.get(first, 'absent')} now"
                             f"{f', and {len(changed) - 1} more' if len(changed) > 1 else ''}); finish it with those, "
                             f"or choose another --out")

    sentences = split_sentences(collect_sentences(spec.sources, seed=spec.seed))
    units = plan_units(spec, sentences, voices)
    total = sum(len(u.items) for u in units)
    todo = [u for u in units if not (out_dir / "parts" / f"{u.split}-{u.name}.jsonl").exists()]
    done = total - sum(len(u.items) for u in todo)
    log(f"{len(units)} units, {total} utterances; {len(todo)} units to synthesise")
    progress.start(total, "synthesising")
    progress.update(done)
    failures: list[str] = []
    spec_dict = spec.to_dict()

    def finished(number: int, result: tuple[str, int, str | None]) -> None:
        nonlocal done
        unit = todo[number]
        if result[2]:
            failures.append(f"{unit.voice}: {result[2]}")
        done += len(unit.items)
        progress.update(done)
        progress.check()

    items = {n: (str(out_dir), u, spec_dict, spec.seed) for n, u in enumerate(todo)}
    run_in_processes(_run_unit, items, workers, finished)
    progress.finish()
    if failures:
        raise SeqStudioError(f"{len(failures)} of {len(units)} units failed (rerun to retry them); first: "
                             f"{failures[0]}")

    summary = {"key": key, "spec": spec_dict, "format": FORMAT, "sample_rate": SAMPLE_RATE, "engines": engines,
               "splits": {}}
    for split in SPLITS:
        rows: list[str] = []
        for unit in units:
            if unit.split == split:
                rows.extend((out_dir / "parts" / f"{split}-{unit.name}.jsonl").read_text().splitlines())
        seconds = sum(json.loads(r)["duration"] for r in rows)
        voices_used = sorted({json.loads(r)["voice"] for r in rows})
        atomic_write_text(out_dir / f"{split}.jsonl", "".join(r + "\n" for r in rows), overwrite=True)
        summary["splits"][split] = {"utterances": len(rows), "hours": round(seconds / 3600, 3),
                                    "voices": len(voices_used),
                                    "speakers": sorted({json.loads(r)["speaker"] for r in rows})}
    atomic_write_text(summary_path, json.dumps(summary, indent=1) + "\n", overwrite=True)
    log(" ".join(f"{s}: {v['utterances']} utterances, {v['hours']:.2f} h;" for s, v in summary["splits"].items()))
    return summary
