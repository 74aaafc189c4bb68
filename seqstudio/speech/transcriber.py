"""The Python API for transcribing: ``Transcriber.load(...).transcribe("talk.wav")``.

The CLI, the evaluation, the bench and the app walk this same path::

    file -> iter_audio_chunks (16 kHz mono, <= 30 s, cut in pauses) -> silence gate
         -> batch of chunks (across files) -> LogMel on the device -> SpeechLSTM -> CTC decoding
         -> words with times offset by each chunk's start -> segments

Memory is bounded by one batch of chunks plus each open file's words, whatever the files' lengths (beside
a GPU, plus the log-probs of the batch before, still being searched).
Chunks of several files share a batch: the features and the model are padding-invariant (a batch gives
what each chunk gives alone), so batching changes the speed, never the words. Beside a GPU, beam search on worker
processes (:mod:`decode_pool`) runs while this process reads the next batch and runs the model on it: the two
overlap instead of taking turns (the words are the same). A chunk whose peak stays
below -60 dBFS is digital silence: it is not decoded at all, because normalised features would blow its
faint noise up to the loudness of speech and let a model hallucinate words in it.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from seqstudio.core.device import resolve_device
from seqstudio.core.errors import Cancelled, SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.speech.audio import AudioChunk, audio_info, iter_audio_chunks
from seqstudio.speech.beam import DecodeOptions, beam_decode, beam_submit, load_lm
from seqstudio.speech.bundle import SpeechBundle, find_lm, load_speech_model
from seqstudio.speech.decode import Hypothesis, greedy_decode
from seqstudio.speech.decode_pool import MAX_WORKERS, DecodePool, PendingDecode, available_cores
from seqstudio.speech.features import LogMel
from seqstudio.speech.formats import Segment, Word, render, segment_words, write_transcript
from seqstudio.speech.lm import NgramLM

DEFAULT_MODEL = "speech-default"
CHUNK_S = 30.0  # the longest stretch the model sees at once; about what the acoustic context needs, many times over
SILENCE_PEAK = 10 ** (-60 / 20)  # -60 dBFS: quieter than any recording's noise floor except digital silence
_CPU_BATCH_S = 240.0  # audio per batch: on 2 cores batching gains little past a few chunks, memory stays small
_GPU_BATCH_S = 3600.0  # on a GPU the batch is what makes it fast; 120 chunks of 30 s are ~0.3 GB of activations
_MAX_BATCH_CHUNKS = 256
# audio in one sub-batch from which beam search starts worker processes (~1 s to start them; a CPU's
# sub-batches hold at most 240 s, so there half of one does)
POOL_FROM_S = 240.0
_NO_AUDIO = np.zeros(0, dtype=np.float32)


@dataclass
class Transcript:
    """One file's transcript. Times are seconds from the start of the file."""

    path: Path | None
    duration_s: float  # of the audio
    segments: list[Segment]
    words: list[Word]
    text: str
    compute_s: float  # wall time spent on this file (reading, features, model, its decoding); batch time is shared
    nbest: list[list[Hypothesis]] = field(default_factory=list)  # per decoded chunk, when options ask for n-best

    @property
    def real_time_factor(self) -> float:
        """Compute time / audio time (0.01 is 100x faster than real time)."""
        return self.compute_s / self.duration_s if self.duration_s > 0 else 0.0

    def render(self, fmt: str) -> str:
        """The transcript as txt, srt, vtt or json text (json also lists the n-best alternatives)."""
        return render(self.segments, fmt, self.alternatives())

    def alternatives(self) -> list[dict]:
        """The n-best lists as ``{start, end, hypotheses: [(text, score), ...]}``, one per decoded chunk
        that has words; empty unless the options asked for n-best."""
        out = []
        for hyps in self.nbest:
            words = [w for h in hyps for w in h.words]
            if not words:
                continue
            out.append({"start": min(w.start for w in words), "end": max(w.end for w in words),
                        "hypotheses": [(h.text, h.score) for h in hyps]})
        return out

    def write(self, path: str | os.PathLike, fmt: str | None = None, overwrite: bool = False) -> Path:
        """Write atomically; the format comes from the extension unless given; never clobbers unless asked."""
        return write_transcript(path, self.segments, fmt, overwrite=overwrite, alternatives=self.alternatives())


@dataclass(frozen=True)
class FileResult:
    """What :meth:`Transcriber.iter_transcribe` yields per input, in input order: transcripts (one per
    decoding variant asked for) or the one-line error that stopped this file."""

    index: int
    path: Path
    transcripts: tuple[Transcript, ...] = ()
    error: SeqStudioError | None = None

    @property
    def transcript(self) -> Transcript:
        if self.error is not None:
            raise self.error
        return self.transcripts[0]


# -- decoding ------------------------------------------------------------------------------------


def auto_decode_workers(device: torch.device) -> int:
    """One beam-search process per core (at most 16) beside a GPU, or on a CPU of 4 cores or more; else 1.
    On the CPU the model shares the cores with decoding (one after the other), and decoding is about a
    quarter of the time: on 2 cores, workers measured no faster (2.36 vs 2.13-2.48 s for 480 s of audio)."""
    cores = available_cores()
    return min(cores, MAX_WORKERS) if device.type == "cuda" or cores >= 4 else 1


def default_batch_s(device: torch.device) -> float:
    """Audio per batch when the caller does not choose: an hour on a GPU, four minutes on a CPU."""
    return _GPU_BATCH_S if device.type == "cuda" else _CPU_BATCH_S


def _is_greedy(options: DecodeOptions | None) -> bool:
    """Best-path decoding gives what a 1-beam search without LM or hot-words gives, much faster."""
    return options is None or (options.beam_size <= 1 and options.lm is None and not options.hotwords
                               and options.nbest <= 1)


def _clamp(hyp: Hypothesis, end: float) -> Hypothesis:
    """The last output frame can reach past the audio's end (frames are rounded up): no word ends after it."""
    if not hyp.words or hyp.words[-1].end <= end:
        return hyp
    words = tuple(w if w.end <= end else replace(w, start=min(w.start, end), end=end) for w in hyp.words)
    return replace(hyp, words=words)


# -- bookkeeping for files in flight -------------------------------------------------------------


@dataclass(eq=False)
class _File:
    index: int
    path: Path
    variants: int
    samples: int = 0
    compute_s: float = 0.0
    outstanding: int = 0  # chunks queued but not decoded yet
    done_reading: bool = False
    error: SeqStudioError | None = None
    hyps: list[list[tuple[int, list[Hypothesis]]]] = field(default_factory=list)  # per variant: (chunk no, n-best)
    decode_s: list[float] = field(default_factory=list)  # per variant

    def __post_init__(self) -> None:
        self.hyps = [[] for _ in range(self.variants)]
        self.decode_s = [0.0] * self.variants


@dataclass(eq=False)
class _Queued:
    file: _File
    number: int  # the chunk's position in its file
    chunk: AudioChunk  # its samples are dropped once the model has run (a batch in flight keeps no audio)
    size: int  # samples


@dataclass(eq=False)
class _InFlight:
    """A batch whose model has run and whose beam search is still on the decoding processes."""

    queue: list[_Queued]
    pending: list[tuple[int, list[_Queued], PendingDecode]]  # (variant, chunks, their search)
    sample_rate: int

    def cancel(self) -> None:
        for _, _, search in self.pending:
            search.cancel()


class Transcriber:
    """A loaded speech model on a device. One transcription at a time per instance (not thread-safe);
    a GUI worker owns one and cancels through the :class:`Progress` it passes."""

    def __init__(self, bundle: SpeechBundle, device: torch.device, lm: NgramLM | None = None, *,
                 chunk_s: float = CHUNK_S, batch_s: float | None = None, decode_workers: int | str = 1) -> None:
        """``decode_workers``: processes for beam search over big batches (1: none, all in this process;
        ``"auto"``: see :func:`auto_decode_workers`). Beam search is pure Python, so on a GPU it, not the
        model, bounds the speed of a folder. As with any Python multiprocessing, a script that uses them must start
        from an ``if __name__ == "__main__":`` block."""
        if not chunk_s >= 1.0:
            raise ValueError("chunk_s must be at least 1 second")
        if decode_workers == "auto":
            decode_workers = auto_decode_workers(device)
        if isinstance(decode_workers, bool) or not isinstance(decode_workers, int) or decode_workers < 1:
            raise ValueError(f"decode_workers must be 'auto' or a positive integer, got {decode_workers!r}")
        self.pool = DecodePool(decode_workers) if decode_workers > 1 else None
        self.bundle = bundle
        self.device = device
        self.chunk_s = float(chunk_s)
        self.batch_s = float(batch_s) if batch_s is not None else max(default_batch_s(device), self.chunk_s)
        if self.batch_s < self.chunk_s:
            raise ValueError("batch_s must be at least chunk_s")
        self.lm = lm  # used by beam search when the options name no LM file of their own
        # Search a batch on the decoding processes while the model runs on the next one: beside a GPU, whose
        # model leaves the host's cores to the search. On a CPU the two would share the cores: measured on 2
        # cores with 2 processes, 7 % slower with the model's 2 threads (21 % faster with 1).
        self.overlap_decoding = device.type == "cuda"
        self.model = bundle.model.to(device).eval()
        self.features = LogMel(bundle.features).to(device)
        self.sample_rate = bundle.features.sample_rate

    def close(self) -> None:
        """Stop the decoding processes now (they also stop when the transcriber is garbage-collected)."""
        if self.pool is not None:
            self.pool.close()

    @classmethod
    def load(cls, model: str | os.PathLike = "default", device: str = "auto",
             lm: str | os.PathLike | None = "auto", **kwargs) -> Transcriber:
        """``model``: a model folder, a name under ``models/``, or ``"default"`` (``speech-default``);
        ``device``: auto, cpu, cuda, cuda:N; ``lm``: a word language model file for beam search, ``"auto"``
        (the default) for the ``lm.arpa`` shipped in the model's folder if it has one, or None for none.

        With a language model, ``transcribe(path)`` without options runs the beam search with it (the
        defaults of :class:`DecodeOptions`); pass ``DecodeOptions(beam_size=1)`` for greedy decoding."""
        from seqstudio.core.models import models_root, resolve_model

        dev = resolve_device(device)
        folder = resolve_model(str(model), DEFAULT_MODEL)
        if str(model) in ("", "default") and not folder.exists():
            raise SeqStudioError(
                f"the default speech model is not installed ({folder} is missing); train one with "
                f"`seqstudio train speech` or pass --model FOLDER (models live in {models_root()})")
        bundle = load_speech_model(folder)
        if lm is not None and str(lm) == "auto":
            lm = find_lm(folder)
        return cls(bundle, dev, None if lm is None else load_lm(lm), **kwargs)

    # -- public API ------------------------------------------------------------------------------

    def transcribe(self, path: str | os.PathLike, options: DecodeOptions | None = None,
                   progress: Progress | None = None) -> Transcript:
        """Transcribe one audio file (any format, rate, depth, channels, length). ``options``: a
        :class:`~seqstudio.speech.beam.DecodeOptions` for beam search (LM, hot-words, n-best), or ``None``
        for greedy decoding. Bad files raise a one-line
        :class:`SeqStudioError`; ``progress.cancel()`` raises :class:`Cancelled` at the next chunk."""
        return self.transcribe_many([path], options, progress)[0]

    def transcribe_many(self, paths: Iterable[str | os.PathLike], options: DecodeOptions | None = None,
                        progress: Progress | None = None) -> list[Transcript]:
        """Transcribe several files with their chunks batched together; the first bad file raises.
        Use :meth:`iter_transcribe` to get each result as it is ready and to carry on past bad files."""
        return [result.transcript for result in self.iter_transcribe(paths, options, progress)]

    def iter_transcribe(self, paths: Iterable[str | os.PathLike], options: DecodeOptions | None = None,
                        progress: Progress | None = None, *, variants: Sequence[DecodeOptions | None] | None = None,
                        ) -> Iterator[FileResult]:
        """Yield a :class:`FileResult` per path, in order, as soon as that file is done.

        A file that cannot be read gives a result with ``error`` set and the others carry on. With
        ``variants`` (a list of decoding options, ``None`` meaning greedy) the model runs once and each
        file gets one transcript per variant, e.g. greedy and with a language model side by side.
        Progress counts seconds of audio; cancellation raises :class:`Cancelled`.
        """
        variants = list(variants) if variants is not None else [options]
        if not variants:
            raise ValueError("variants must not be empty")
        decoders = [self._decoder(v) for v in variants]
        keep_nbest = [v is not None and v.nbest > 1 for v in variants]  # n-best lists only when asked for
        paths = [Path(p) for p in paths]
        progress = progress or Progress()
        progress.start(_total_seconds(paths), "transcribing")
        done_s = 0.0
        pending: deque[_File] = deque()
        queue: list[_Queued] = []
        queued_samples = 0
        batch_samples = int(self.batch_s * self.sample_rate)

        in_flight: _InFlight | None = None

        def flush() -> None:
            nonlocal queue, queued_samples, done_s, in_flight
            if queue:
                flight = self._run_batch(queue, decoders, progress)  # while the last batch is still searched
                if in_flight is not None:
                    _collect(in_flight)
                in_flight = flight  # (only beside a GPU: elsewhere searches come back before _run_batch returns)
                if self.device.type == "cpu":
                    _release_memory()
                done_s += queued_samples / self.sample_rate
                progress.update(int(done_s), queue[-1].file.path.name)
            queue, queued_samples = [], 0

        try:
            for index, path in enumerate(paths):
                file = _File(index, path, len(decoders))
                pending.append(file)
                chunks = iter_audio_chunks(path, self.sample_rate, self.chunk_s, search_s=min(5.0, self.chunk_s / 3))
                number = 0
                while True:
                    progress.check()
                    started = time.perf_counter()
                    try:
                        chunk = next(chunks, None)
                    except Cancelled:
                        raise
                    except SeqStudioError as exc:
                        file.error = exc
                    except (RuntimeError, ValueError, OSError, EOFError) as exc:  # a decoder's surprise, not ours
                        file.error = SeqStudioError(f"{path} could not be decoded ({type(exc).__name__}: "
                                                    f"{' '.join(str(exc).split())})")
                    finally:
                        file.compute_s += time.perf_counter() - started
                    if file.error is not None:
                        chunks.close()
                        dropped = [q for q in queue if q.file is file]
                        queued_samples -= sum(q.size for q in dropped)
                        queue = [q for q in queue if q.file is not file]
                        # its chunks still being searched count down when collected; then its error comes out
                        file.outstanding -= len(dropped)
                        break
                    if chunk is None:
                        break
                    file.samples += len(chunk.samples)
                    if len(chunk.samples) == 0 or float(np.max(np.abs(chunk.samples))) < SILENCE_PEAK:
                        done_s += len(chunk.samples) / self.sample_rate
                        continue
                    queue.append(_Queued(file, number, chunk, len(chunk.samples)))
                    number += 1
                    file.outstanding += 1
                    queued_samples += len(chunk.samples)
                    if queued_samples >= batch_samples or len(queue) >= _MAX_BATCH_CHUNKS:
                        flush()
                        yield from _finished(pending, self.sample_rate, keep_nbest)
                file.done_reading = True
                yield from _finished(pending, self.sample_rate, keep_nbest)
            flush()
            if in_flight is not None:
                _collect(in_flight)
                in_flight = None
            yield from _finished(pending, self.sample_rate, keep_nbest)
            progress.finish()
        finally:  # cancelled, an error, or the caller stopped iterating: drop the search still queued
            if in_flight is not None:
                in_flight.cancel()

    # -- internals -------------------------------------------------------------------------------

    def _decoder(self, options: DecodeOptions | None):
        """A function (log_probs, lengths, offsets) -> one n-best list per chunk, for these options."""
        shift = self.bundle.frame_shift_s
        vocab = self.bundle.vocab
        if options is None and self.lm is not None:
            options = DecodeOptions()  # a transcriber given a language model uses it unless told otherwise
        if _is_greedy(options):
            def greedy(log_probs, lengths, offsets):
                hyps = greedy_decode(log_probs, vocab, lengths, frame_shift_s=shift, offset_s=offsets)
                return [[h] for h in hyps]
            return greedy
        lm = self.lm if options.lm is None else load_lm(options.lm)  # read (and checked) once, before any work

        def search(log_probs, lengths, offsets):
            pool = self.pool if self._use_pool(float(lengths.sum()) * shift, lm) else None
            if pool is not None and self.overlap_decoding:  # a PendingDecode, collected after the next batch
                return beam_submit(log_probs, vocab, lengths, frame_shift_s=shift, offset_s=offsets, options=options,
                                   lm=lm, pool=pool)
            return beam_decode(log_probs, vocab, lengths, frame_shift_s=shift, offset_s=offsets, options=options,
                               lm=lm, pool=pool)
        return search

    def _use_pool(self, seconds: float, lm: NgramLM | None) -> bool:
        """Worker processes pay off for a big batch, or once they are running anyway."""
        pool = self.pool
        return (pool is not None and not pool.broken and pool.can_decode(lm)
                and (pool.started or seconds >= min(POOL_FROM_S, 0.5 * self.batch_s)))

    def _run_batch(self, queue: list[_Queued], decoders, progress: Progress) -> _InFlight | None:
        """Features, model and decoding for queued chunks, in sub-batches of similar length (little
        padding). Wall time is shared among files by audio length: the model's time by all variants,
        each decoder's time by its own variant only. Searches sent to the decoding processes come back as an
        :class:`_InFlight` for :func:`_collect`; the chunks are done when it is collected (None: done now)."""
        order = sorted(queue, key=lambda q: q.size, reverse=True)
        budget = max(int(self.batch_s * self.sample_rate), order[0].size)
        groups: list[list[_Queued]] = []
        for item in order:
            # sorted longest first, so a group's padded size is its first item's length x its count
            if groups and groups[-1][0].size * (len(groups[-1]) + 1) <= budget:
                groups[-1].append(item)
            else:
                groups.append([item])
        shared = 0.0
        per_variant = [0.0] * len(decoders)
        pending: list[tuple[int, list[_Queued], PendingDecode]] = []
        try:
            for group in groups:
                progress.check()
                times = self._run_group(group, decoders, pending)
                shared += times[0]
                for v, t in enumerate(times[1:]):
                    per_variant[v] += t
        except BaseException:  # cancelled, out of memory: nothing of this batch stays queued on the processes
            for _, _, search in pending:
                search.cancel()
            raise
        total = sum(q.size for q in queue)
        for q in queue:
            share = q.size / total
            q.file.compute_s += shared * share
            for v, t in enumerate(per_variant):
                q.file.decode_s[v] += t * share
        if pending:
            return _InFlight(queue, pending, self.sample_rate)
        for q in queue:
            q.file.outstanding -= 1
        return None

    @torch.inference_mode()
    def _run_group(self, group: list[_Queued], decoders, pending: list) -> list[float]:
        """Run one padded batch; returns the seconds of [features + model, decoder 1, decoder 2, ...]. A search
        sent to the decoding processes is appended to ``pending`` (its time here: sending it)."""
        started = time.perf_counter()
        lengths = [q.size for q in group]
        waves = np.zeros((len(group), max(lengths)), dtype=np.float32)
        for row, q in zip(waves, group, strict=True):
            row[: q.size] = q.chunk.samples
            q.chunk = q.chunk._replace(samples=_NO_AUDIO)
        waves_t = torch.from_numpy(waves).to(self.device, non_blocking=True)
        lengths_t = torch.tensor(lengths, dtype=torch.long, device=self.device)
        features, frame_lengths = self.features(waves_t, lengths_t)
        log_probs, out_lengths = self.model(features, frame_lengths)
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        times = [time.perf_counter() - started]
        offsets = [q.chunk.start for q in group]
        for v, decode in enumerate(decoders):
            started = time.perf_counter()
            found = decode(log_probs, out_lengths, offsets)
            if isinstance(found, PendingDecode):
                pending.append((v, group, found))
            else:
                _record(group, v, found, self.sample_rate)
            times.append(time.perf_counter() - started)
        return times


def _record(group: list[_Queued], variant: int, nbests: list[list[Hypothesis]], sample_rate: int) -> None:
    for q, nbest in zip(group, nbests, strict=True):
        end = q.chunk.start + q.size / sample_rate
        q.file.hyps[variant].append((q.number, [_clamp(h, end) for h in nbest]))


def _collect(flight: _InFlight) -> None:
    """Wait for a batch's searches on the decoding processes and record them: its chunks are done. The wait
    is the decoding time its files are charged (the rest ran beside the model's next batch)."""
    for variant, group, search in flight.pending:
        started = time.perf_counter()
        nbests = search.result()
        waited = time.perf_counter() - started
        _record(group, variant, nbests, flight.sample_rate)
        total = sum(q.size for q in group)
        for q in group:
            q.file.decode_s[variant] += waited * q.size / total
    for q in flight.queue:
        q.file.outstanding -= 1


def _load_malloc_trim():
    """glibc's ``malloc_trim``, or None elsewhere. Batches of many differently sized tensors fragment glibc's
    heap, and without a trim the resident memory of a 2-hour file creeps up by ~150 MB batch after batch."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # musl and others: no such function, and no such creep to undo
        return None


_malloc_trim = _load_malloc_trim()


def _release_memory() -> None:
    if _malloc_trim is not None:
        _malloc_trim(0)


def _total_seconds(paths: Sequence[Path]) -> int:
    """For the progress bar: the headers' durations (a file that cannot be read counts 0 here and
    reports its error when its turn comes)."""
    total = 0.0
    for path in paths:
        try:
            total += audio_info(path).duration or 0.0
        except SeqStudioError:
            pass
    return int(round(total))


def _finished(pending: deque[_File], sample_rate: int, keep_nbest: list[bool]) -> Iterator[FileResult]:
    while pending and pending[0].done_reading and pending[0].outstanding == 0:
        file = pending.popleft()
        if file.error is not None:
            yield FileResult(file.index, file.path, error=file.error)
        else:
            yield FileResult(file.index, file.path, tuple(_assemble(file, v, sample_rate, keep_nbest[v])
                                                          for v in range(file.variants)))


def _assemble(file: _File, variant: int, sample_rate: int, keep_nbest: bool) -> Transcript:
    chunks = sorted(file.hyps[variant], key=lambda item: item[0])
    best = [nbest[0] for _, nbest in chunks if nbest]
    words = [w for h in best for w in h.words]
    text = " ".join(h.text for h in best if h.text)
    nbest = [nbest for _, nbest in chunks] if keep_nbest else []
    return Transcript(path=file.path, duration_s=file.samples / sample_rate, segments=segment_words(words),
                      words=words, text=text, compute_s=file.compute_s + file.decode_s[variant], nbest=nbest)


# -- finding audio in folders --------------------------------------------------------------------

AUDIO_EXTENSIONS = frozenset(
    ".wav .wave .flac .ogg .oga .opus .mp3 .m4a .aac .aif .aiff .aifc .au .snd .caf .w64 .wma .webm .mka"
    .split())


def is_audio_name(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in AUDIO_EXTENSIONS


def find_audio(folder: str | os.PathLike) -> list[Path]:
    """Audio files under ``folder`` (recursively, by extension, hidden files and folders skipped), sorted."""
    folder = Path(folder)
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if not f.startswith(".") and is_audio_name(f)]
    return found
