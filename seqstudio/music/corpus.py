"""Building the music training corpus from real music available offline.

Sources: the music21 package's corpus (Bach chorales, Palestrina, Ryan's Mammoth Collection, O'Neill's
1850, Essen and Nottingham folk tunes, Beethoven, Mozart, ...) and any folders of the user's MIDI files.

Split (fixed, by content): ``sha1(content key)`` mod 100 — 0..79 train, 80..89 validation, 90..99 test,
where the content key hashes the piece's melodic intervals (``content_key``). The same tune stored twice
(in two collections, at another tempo, transposed) lands in one split, and adding files never moves an
existing piece to another split. Augmentation: the train split is stored at every tempo
stretch in ``stretches``; transposition is applied on the fly by training (``dataset``).

Each source file's notes are cached (keyed by its path, size and mtime) so an interrupted build resumes
and a second run is instant.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from seqstudio.core.atomic import atomic_write_text
from seqstudio.core.errors import SeqStudioError
from seqstudio.core.pool import run_in_processes
from seqstudio.core.progress import Progress
from seqstudio.music.midi_io import load_midi, parse_midi_bytes, stretch, to_score, window
from seqstudio.music.tokenizer import Note, Tokenizer, TokenizerConfig

EXTRACT_VERSION = 1
FILE_TIMEOUT_S = 300  # per source file; an opus of 1,000 folk tunes takes about a minute
SPLITS = ("train", "valid", "test")
# music21 corpus folders that hold music (its .rntxt files are harmonic analyses, not notes). The default
# set is 99% of the notes; the extra collections are ~30 large single scores and opus books whose
# conversion takes longer than all of Palestrina, so they are opt-in (`--music21 all`, or by name).
MUSIC21_DEFAULT = ("bach", "palestrina", "ryansMammoth", "oneills1850", "essenFolksong", "nottingham-dataset",
                   "beethoven", "mozart", "haydn", "monteverdi", "trecento", "josquin")
MUSIC21_EXTRA = ("airdsAirs", "handel", "schumann_robert", "schumann_clara", "corelli", "cpebach", "schubert",
                 "chopin", "joplin", "weber", "verdi", "ciconia", "luca", "lusitano", "johnson_j_r", "beach",
                 "miscFolk")
_MUSIC_SUFFIXES = (".mxl", ".xml", ".musicxml", ".krn", ".abc", ".mid", ".midi")


@dataclass
class CorpusSpec:
    music21: tuple[str, ...] = MUSIC21_DEFAULT
    midi_dirs: tuple[str, ...] = ()
    stretches: tuple[float, ...] = (0.95, 1.0, 1.05)
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig)
    limit: int | None = None  # at most this many source files per source (tests, quick looks)

    def key(self, sources: list[SourceFile]) -> str:
        """Identifies a built corpus: the spec and every source file's path, size and mtime."""
        data = asdict(self)
        data["midi_dirs"] = [str(Path(d).resolve()) for d in self.midi_dirs]
        data["extract_version"] = EXTRACT_VERSION
        data["sources"] = [_fingerprint(s) for s in sources]
        return hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()


def content_key(notes: list[Note]) -> str:
    """What decides a piece's split: its melody as pitch intervals between successive onsets (all voices,
    in time order). The same tune stored twice — in two collections, at another tempo or transposed —
    has the same key, so it can never sit in train and in test at once."""
    pitches = [n.pitch for n in sorted(notes, key=lambda n: (round(n.start, 3), n.track, n.pitch))]
    intervals = np.diff(np.asarray(pitches, dtype=np.int16)) if len(pitches) > 1 else np.zeros(0, np.int16)
    return hashlib.sha1(intervals.astype(np.int16).tobytes()).hexdigest()


def split_of(key: str) -> str:
    bucket = int(hashlib.sha1(key.encode()).hexdigest(), 16) % 100
    return "train" if bucket < 80 else "valid" if bucket < 90 else "test"


# -- reading sources (runs in worker processes) ------------------------------------------------------

@dataclass(frozen=True)
class SourceFile:
    kind: str  # "music21" or "midi"
    path: str
    piece_prefix: str


def _notes_to_arrays(notes: list[Note]) -> np.ndarray:
    return np.array([(n.track, n.pitch, n.start, n.end, n.velocity) for n in notes], dtype=np.float64)


def _arrays_to_notes(rows: np.ndarray) -> list[Note]:
    return [Note(int(t), int(p), float(s), float(e), int(v)) for t, p, s, e, v in rows]


def _read_music21(path: str, max_tracks: int) -> list[list[Note]]:
    from music21 import converter, stream
    from music21.midi import translate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = converter.parse(path)
        scores = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
        pieces = []
        for score in scores:
            try:
                data = translate.streamToMidiFile(score).writestr()
                pieces.append(to_score(parse_midi_bytes(data), max_tracks).notes)
            except Exception:  # one unreadable tune in an opus should not lose the others
                pieces.append([])
    return pieces


class _FileTimeout(BaseException):
    """BaseException, so that no ``except Exception`` inside music21 (or ours, per tune) swallows it."""


def _on_alarm(signum, frame):
    raise _FileTimeout(f"gave up after {FILE_TIMEOUT_S} s")


def _extract(job: tuple[SourceFile, str, int]) -> tuple[str, int, str | None]:
    """Read one source file into ``cache_file`` (npz of note rows per piece). Returns (path, pieces, error)."""
    source, cache_file, max_tracks = job
    # a few files send music21's parser into minutes-long work; a per-file alarm keeps the build moving
    use_alarm = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(FILE_TIMEOUT_S)
    try:
        if source.kind == "music21":
            pieces = _read_music21(source.path, max_tracks)
        else:
            pieces = [to_score(load_midi(source.path), max_tracks, source.path).notes]
    except (Exception, _FileTimeout) as exc:
        # remembered in the cache too, so a file that cannot be read is not re-read on every build
        error = f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:100] if str(exc) else ''}"
        tmp = cache_file + ".tmp.npz"
        np.savez_compressed(tmp, error=np.array(error))
        os.replace(tmp, cache_file)
        return source.path, 0, error
    finally:
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    arrays = {f"piece_{i}": _notes_to_arrays(notes) for i, notes in enumerate(pieces) if notes}
    tmp = cache_file + ".tmp.npz"
    np.savez_compressed(tmp, **arrays) if arrays else np.savez_compressed(tmp, empty=np.zeros(0))
    os.replace(tmp, cache_file)
    return source.path, len(arrays), None


def _list_sources(spec: CorpusSpec) -> list[SourceFile]:
    sources: list[SourceFile] = []
    if spec.music21:
        try:
            from music21 import corpus as m21corpus
        except ImportError:
            raise SeqStudioError("the music21 package is not installed (pip install music21)") from None
        root = Path(m21corpus.__file__).parent
        for name in spec.music21:
            folder = root / name
            if not folder.is_dir():
                raise SeqStudioError(f"music21's corpus has no collection {name!r}")
            files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in _MUSIC_SUFFIXES)
            for p in files[: spec.limit]:
                sources.append(SourceFile("music21", str(p), f"music21:{p.relative_to(root).as_posix()}"))
    for d in spec.midi_dirs:
        folder = Path(d)
        if not folder.is_dir():
            raise SeqStudioError(f"MIDI folder {folder} does not exist")
        files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".mid", ".midi"))
        if not files:
            raise SeqStudioError(f"MIDI folder {folder} holds no .mid or .midi files")
        for p in files[: spec.limit]:
            sources.append(SourceFile("midi", str(p), f"midi:{folder.name}/{p.relative_to(folder).as_posix()}"))
    return sources


def _fingerprint(source: SourceFile) -> str:
    st = os.stat(source.path)
    return f"{source.path}|{st.st_size}|{st.st_mtime_ns}"


def _cache_name(source: SourceFile, max_tracks: int) -> str:
    key = f"{EXTRACT_VERSION}|{max_tracks}|{_fingerprint(source)}"
    return hashlib.sha1(key.encode()).hexdigest() + ".npz"


# -- building -----------------------------------------------------------------------------------------

def build_corpus(spec: CorpusSpec, out: str | os.PathLike, jobs: int = 2, progress: Progress | None = None,
                 rebuild: bool = False) -> dict:
    """Build (or reuse) the corpus in ``out``; returns its summary (also written to ``corpus.json``)."""
    progress = progress or Progress()
    out = Path(out)
    summary_path = out / "corpus.json"
    sources = _list_sources(spec)
    if not sources:
        raise SeqStudioError("no sources: give music21 collections and/or --midi-dir folders")
    key = spec.key(sources)
    if summary_path.exists() and not rebuild:
        try:
            summary = json.loads(summary_path.read_text())
        except (OSError, json.JSONDecodeError):
            summary = {}
        if summary.get("spec_key") == key:
            summary["cached"] = True
            return summary
    cache = out / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    # the arrays are about to change: a corpus.json left from before must not vouch for them meanwhile
    summary_path.unlink(missing_ok=True)
    max_tracks = spec.tokenizer.max_tracks
    jobs_todo = []
    for s in sources:
        name = _cache_name(s, max_tracks)
        if not (cache / name).exists():
            jobs_todo.append((s, str(cache / name), max_tracks))
    progress.start(len(sources), "reading music")
    done = len(sources) - len(jobs_todo)
    progress.update(done)
    if jobs_todo:
        if jobs > 1:
            # one slow file (a string quartet, an opus of 1,000 tunes) must not freeze the progress bar
            # while the other worker keeps finishing files: results come back as each ends
            def finished(_index: int, _result: None) -> None:
                nonlocal done
                done += 1
                progress.update(done)
                progress.check()

            run_in_processes(_extract, {i: (job,) for i, job in enumerate(jobs_todo)}, jobs, finished)
        else:
            for job in jobs_todo:
                _extract(job)
                done += 1
                progress.update(done)
                progress.check()
    progress.finish()
    summary = _assemble(spec, sources, cache, out, progress)
    summary["spec_key"] = key
    summary["cached"] = False
    atomic_write_text(summary_path, json.dumps(summary, indent=2) + "\n", overwrite=True)
    return summary


def _iter_pieces(sources: Iterable[SourceFile], cache: Path, max_tracks: int, errors: list[str]):
    for s in sources:
        path = cache / _cache_name(s, max_tracks)
        if not path.exists():
            continue
        with np.load(path, allow_pickle=False) as npz:
            if "error" in npz.files:
                errors.append(f"{s.path}: {npz['error']}")
            for key in sorted((k for k in npz.files if k.startswith("piece_")), key=lambda k: int(k[6:])):
                yield f"{s.piece_prefix}#{key[6:]}", npz[key]


def _assemble(spec: CorpusSpec, sources: list[SourceFile], cache: Path, out: Path, progress: Progress) -> dict:
    tokenizer = Tokenizer(spec.tokenizer)
    seqs: dict[str, list[np.ndarray]] = {s: [] for s in SPLITS}
    ids: dict[str, list[str]] = {s: [] for s in SPLITS}
    seconds = {s: 0.0 for s in SPLITS}
    errors: list[str] = []
    pieces = list(_iter_pieces(sources, cache, spec.tokenizer.max_tracks, errors))
    progress.start(len(pieces), "tokenising")
    for i, (piece_id, rows) in enumerate(pieces):
        notes = _arrays_to_notes(rows)
        notes = window(notes, min(n.start for n in notes))
        split = split_of(content_key(notes))
        factors = spec.stretches if split == "train" else (1.0,)
        for f in factors:
            seqs[split].append(tokenizer.encode(stretch(notes, f) if f != 1.0 else notes))
            ids[split].append(f"{piece_id}@{f:g}")
        seconds[split] += max(n.end for n in notes)
        if i % 50 == 0:
            progress.update(i)
            progress.check()
    progress.finish()
    counts = {}
    for split in SPLITS:
        if not seqs[split]:
            tokens = np.zeros(0, dtype=np.int16)
            offsets = np.zeros(1, dtype=np.int64)
        else:
            tokens = np.concatenate(seqs[split])
            offsets = np.concatenate([[0], np.cumsum([len(s) for s in seqs[split]])]).astype(np.int64)
        _save_npy(out / f"{split}.tokens.npy", tokens)
        _save_npy(out / f"{split}.offsets.npy", offsets)
        atomic_write_text(out / f"{split}.pieces.txt", "\n".join(ids[split]) + "\n", overwrite=True)
        counts[split] = {"sequences": len(seqs[split]), "tokens": int(len(tokens)),
                         "hours": round(seconds[split] / 3600, 2)}
    return {
        "spec": {**asdict(spec), "midi_dirs": list(spec.midi_dirs)},
        "splits": counts,
        "split_rule": "sha1(content key: melodic intervals) % 100: <80 train, <90 valid, else test; "
                      "train stored at each stretch",
        "skipped_files": len(errors),
        "skipped_examples": sorted(errors)[:20],
    }


def _save_npy(path: Path, array: np.ndarray) -> None:
    tmp = path.with_name(path.name + ".tmp.npy")
    np.save(tmp, array, allow_pickle=False)
    os.replace(tmp, path)


# -- reading a built corpus -----------------------------------------------------------------------------

@dataclass
class Split:
    tokens: np.ndarray  # int16, all sequences concatenated
    offsets: np.ndarray  # int64, len = sequences + 1

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def sequence(self, i: int) -> np.ndarray:
        return self.tokens[self.offsets[i] : self.offsets[i + 1]]

    def sequences(self) -> list[np.ndarray]:
        return [self.sequence(i) for i in range(len(self))]


def load_corpus(folder: str | os.PathLike) -> tuple[dict, dict[str, Split]]:
    folder = Path(folder)
    summary_path = folder / "corpus.json"
    if not summary_path.is_file():
        raise SeqStudioError(f"{folder} is not a built corpus (no corpus.json); run `seqstudio data music` first")
    try:
        summary = json.loads(summary_path.read_text())
        splits = {}
        for split in SPLITS:
            tokens = np.load(folder / f"{split}.tokens.npy", allow_pickle=False)
            offsets = np.load(folder / f"{split}.offsets.npy", allow_pickle=False)
            splits[split] = Split(tokens, offsets)
        TokenizerConfig.from_dict(summary["spec"]["tokenizer"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__
        raise SeqStudioError(f"{folder} is a damaged corpus ({reason}); rebuild it: seqstudio data music") from None
    return summary, splits
