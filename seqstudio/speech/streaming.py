"""Live transcription: audio fed in pieces as it arrives -> words as soon as they are complete.

Only the streaming variant can do this (``seqstudio train speech --streaming``): a unidirectional LSTM over
causally normalised features (``FeatureConfig.normalize = "online"``). Nothing it outputs depends on audio
that has not arrived yet, so a stream gives exactly what the model run over the whole recording at once and
decoded greedily gives, however the audio is cut into pieces (``tests/speech/test_streaming.py`` checks this).
(:class:`~seqstudio.speech.transcriber.Transcriber` cuts files longer than 30 s at pauses and runs each piece
afresh, so on those its words differ a little.)

Latency: a frame needs its whole 25-ms window, and the model emits one output frame per block of
``subsampling`` feature frames (40 ms for the default 4), so a character is seen at most ~65 ms after it is
spoken, plus the time to compute it; a word is final once the space after it is decoded. Greedy decoding
only: a beam search would revise its past, and its language model could only score finished words.

Memory stays flat however long the stream: the features keep a window of statistics, the model a block of
input and the LSTM's state, the decoder the frames since the last finished word (none in silence).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch

from seqstudio.core.device import resolve_device
from seqstudio.core.errors import SeqStudioError
from seqstudio.core.models import DEFAULT_STREAMING_MODEL, resolve_model
from seqstudio.nn.inspect import LSTMTrace, trace_lstm
from seqstudio.speech.bundle import SpeechBundle, load_speech_model
from seqstudio.speech.decode import Hypothesis, best_path
from seqstudio.speech.features import LogMel, OnlineNormalizer
from seqstudio.speech.formats import Word
from seqstudio.speech.model import StreamState


@dataclass(frozen=True)
class StreamUpdate:
    words: tuple[Word, ...]  # words that became final with this piece (times from the stream's start)
    partial: str  # what is heard since the last final word; it may still change
    time_s: float  # how much audio the model has heard so far
    inside: LSTMTrace | None = None  # with trace=True: the LSTM's gates and cells over this piece's output frames


class StreamingRecognizer:
    """``accept(samples) -> StreamUpdate`` for each piece of audio, then ``finish()`` at the end.

    Samples are mono, floats in [-1, 1] or signed-integer PCM (int16 as a sound card gives it), at
    ``sample_rate`` (the model's own rate unless given; others are resampled as they arrive). ``words`` holds
    every final word so far. ``reset()`` starts a new stream. With ``trace=True`` each update also carries the
    LSTM's gate activations and cell states over its new output frames (``inside``), replayed from the state the
    piece started in (:func:`~seqstudio.nn.inspect.trace_lstm`), so a view can show them as the words arrive.
    """

    def __init__(self, bundle: SpeechBundle, device: torch.device | str = "cpu", sample_rate: int | None = None,
                 trace: bool = False) -> None:
        if bundle.model.config.bidirectional or not bundle.features.streamable:
            where = f"{bundle.path}" if bundle.path else "this model"
            raise SeqStudioError(f"{where} cannot stream: it needs whole utterances (a bidirectional model, or "
                                 "per-utterance feature normalisation); train one with `seqstudio train speech "
                                 "--streaming`")
        self.bundle = bundle
        self.trace = trace
        self.device = resolve_device(device) if isinstance(device, str) else device
        self.model = bundle.model.to(self.device).eval()
        self.frontend = LogMel(bundle.features).to(self.device)
        self._space = bundle.vocab.chars.index(" ") + 1  # its symbol: 0 is the blank
        self.sample_rate = int(sample_rate or bundle.features.sample_rate)
        if self.sample_rate < 1000:
            raise ValueError("sample_rate must be at least 1000 Hz")
        self.reset()

    @classmethod
    def load(cls, model: str | os.PathLike = "default", device: str = "auto", sample_rate: int | None = None,
             trace: bool = False) -> StreamingRecognizer:
        """``model``: a streaming model's folder, its name under ``models/``, or "default" (the shipped
        ``speech-streaming``; train another with ``seqstudio train speech --streaming``); ``device``: auto, cpu,
        cuda, cuda:N."""
        return cls(load_speech_model(resolve_model(str(model), DEFAULT_STREAMING_MODEL)), resolve_device(device),
                   sample_rate, trace)

    def reset(self) -> None:
        """Forget the stream so far: the next ``accept`` starts a new one at time 0."""
        self._features = OnlineNormalizer(self.frontend)
        self._resampler = None
        if self.sample_rate != self.bundle.features.sample_rate:
            import soxr

            self._resampler = soxr.ResampleStream(self.sample_rate, self.bundle.features.sample_rate, 1,
                                                  dtype="float32", quality="HQ")
        self._pending = torch.zeros(0, self.bundle.features.n_mels, device=self.device)  # frames short of a block
        self._state: StreamState | None = None
        self._ids = np.zeros(0, dtype=np.int64)  # best symbol per output frame since frame self._start
        self._best = np.zeros(0, dtype=np.float32)  # its log-probability
        self._start = 0  # the output frame where the words not yet final begin
        self._frames = 0  # output frames so far
        self._heard = 0  # samples at the model's rate so far
        self._finished = False
        self.words: list[Word] = []

    @property
    def partial(self) -> str:
        return self._decode(len(self._ids)).text

    def accept(self, samples: np.ndarray | torch.Tensor) -> StreamUpdate:
        """Hear the next piece of the stream (any length, even empty)."""
        if self._finished:
            raise SeqStudioError("this stream has finished: call reset() to start another")
        samples = np.asarray(samples.detach().cpu() if isinstance(samples, torch.Tensor) else samples)
        if samples.ndim != 1:
            raise ValueError(f"samples must be one channel, a 1-D array; got shape {samples.shape}")
        if samples.dtype.kind == "i" and samples.dtype.itemsize <= 4:  # PCM as a sound card gives it: int16 ->
            samples = samples.astype(np.float32) / float(2 ** (8 * samples.dtype.itemsize - 1))  # [-1, 1)
        elif samples.dtype.kind != "f":  # int64 too: that is what a list of ints becomes, not a PCM format
            raise ValueError(f"samples must be floats in [-1, 1] or PCM (int8, int16 or int32), got {samples.dtype}")
        samples = np.nan_to_num(samples.astype(np.float32, copy=False), nan=0.0, posinf=1.0, neginf=-1.0)
        if self._resampler is not None:
            samples = self._resampler.resample_chunk(samples)
        self._heard += len(samples)
        frames = torch.cat([self._pending, self._features.push(torch.from_numpy(samples))])
        whole = frames.shape[0] - frames.shape[0] % self.model.config.subsampling
        self._pending = frames[whole:]
        return self._hear(frames[:whole], final=False)

    def finish(self) -> StreamUpdate:
        """The end of the stream: the last partial block is heard and every word is final."""
        if self._finished:
            raise SeqStudioError("this stream has finished: call reset() to start another")
        frames = self._pending
        if self._resampler is not None:  # the resampler's delayed tail
            tail = self._resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
            self._heard += len(tail)
            frames = torch.cat([frames, self._features.push(torch.from_numpy(tail))])
        self._pending = frames[:0]
        self._finished = True
        return self._hear(frames, final=True)

    # -- the model and the decoder ----------------------------------------------------------------

    def _hear(self, frames: torch.Tensor, final: bool) -> StreamUpdate:
        inside = None
        if frames.shape[0]:
            calls: list[tuple] = []  # the LSTM's input and starting state, caught on their way in
            hook = (self.model.lstm.register_forward_pre_hook(lambda _m, args: calls.append(args)) if self.trace
                    else None)
            try:
                log_probs, self._state = self.model.step(frames[None], self._state, final=final)
            finally:
                if hook is not None:
                    hook.remove()
            if calls:
                x, start = calls[0][0][0], calls[0][1] if len(calls[0]) > 1 else None
                times = (self._frames + np.arange(x.shape[0])) * self.bundle.frame_shift_s
                inside = trace_lstm(self.model.lstm, x, times, state=start)
            best, ids = log_probs[0].max(dim=-1)
            self._ids = np.concatenate([self._ids, ids.cpu().numpy()])
            self._best = np.concatenate([self._best, best.cpu().numpy()])
            self._frames += log_probs.shape[1]
        done = len(self._ids) if final else self._last_word_end()
        if not final and self._nothing_pending():
            done = len(self._ids)  # blanks and spaces only: they write nothing, whatever follows them
        new: tuple[Word, ...] = ()
        if done:
            new = self._decode(done).words
            self.words.extend(new)
            self._ids, self._best = self._ids[done:], self._best[done:]
            self._start += done
        heard_s = min(self._frames * self.bundle.frame_shift_s, self._heard / self.bundle.features.sample_rate)
        return StreamUpdate(new, "" if final else self.partial, heard_s, inside)

    def _last_word_end(self) -> int:
        """Frames (from ``_start``) up to the end of the last run of spaces that something else has followed:
        the words before it cannot change."""
        ids = self._ids
        changes = np.flatnonzero(ids[1:] != ids[:-1]) + 1  # first frame of every run but the first
        ended = changes[ids[changes - 1] == self._space]  # runs right after a run of spaces
        return int(ended[-1]) if ended.size else 0

    def _nothing_pending(self) -> bool:
        """Whether the frames since the last final word hold no character but spaces (blanks and spaces only)."""
        return bool(np.all((self._ids == self.bundle.vocab.blank) | (self._ids == self._space)))

    def _decode(self, frames: int) -> Hypothesis:
        return best_path(self._ids[:frames], self._best[:frames], self.bundle.vocab, self.bundle.frame_shift_s,
                          self._start * self.bundle.frame_shift_s)
