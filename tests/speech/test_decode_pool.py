"""Beam search on worker processes gives exactly what it gives in the calling process, on real model outputs
and with a real LM file; the workers import no torch; an LM that exists only in memory is decoded here."""

from __future__ import annotations

import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pytest

from seqstudio.speech import transcriber as transcriber_module
from seqstudio.speech.beam import DecodeOptions, beam_decode, load_lm
from seqstudio.speech.decode_pool import DecodePool
from seqstudio.speech.lm import NgramLM
from seqstudio.speech.manifest import read_manifest
from seqstudio.speech.text import CharVocab
from seqstudio.speech.transcriber import Transcriber
from tests.conftest import REPO

LM_FILE = REPO / "models" / "speech-default" / "lm.arpa"


def _human_files(n: int) -> list[Path]:
    return [u.audio for u in read_manifest(REPO / "data" / "human" / "manifest.jsonl")[:n]]


def _rows(seed: int, count: int) -> list[np.ndarray]:
    """Peaky CTC-like log-probs (a few candidates per frame) of varied lengths."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(count):
        logits = rng.normal(0, 1, (int(rng.integers(20, 120)), 29)) + 6 * rng.random((1, 29)) ** 8
        logits[:, 0] += 2.0
        rows.append(logits - np.log(np.exp(logits).sum(axis=1, keepdims=True)))
    return rows


def test_pool_decodes_exactly_like_the_calling_process():
    vocab, lm = CharVocab(), load_lm(LM_FILE)
    options = DecodeOptions(beam_size=8, nbest=3, hotwords=("front",))
    rows, offsets = _rows(0, 9), [float(i) for i in range(9)]
    pool = DecodePool(2)
    try:
        got = pool.decode(rows, offsets, vocab, options, lm, 0.04)
        assert pool.started
    finally:
        pool.close()
    for row, offset, nbest in zip(rows, offsets, got, strict=True):
        assert nbest == beam_decode(row, vocab, frame_shift_s=0.04, offset_s=offset, options=options, lm=lm)[0]


def test_lm_only_in_memory_cannot_go_to_workers_and_is_decoded_here(monkeypatch):
    lm = NgramLM.train(["front center", "rear right"], order=2)
    assert lm.source is None and not DecodePool.can_decode(lm) and DecodePool.can_decode(None)
    assert load_lm(LM_FILE).source[0] == str(LM_FILE.resolve())
    files = _human_files(2)
    monkeypatch.setattr(transcriber_module, "POOL_FROM_S", 0.0)
    with_pool = Transcriber.load("default", "cpu", lm=None, decode_workers=2)
    with_pool.lm = lm
    with_pool.transcribe_many(files)
    assert not with_pool.pool.started  # nothing was sent to processes that could not read this LM


def test_transcripts_with_decoding_processes_equal_those_without(monkeypatch):
    files = _human_files(6)
    alone = Transcriber.load("default", "cpu", decode_workers=1).transcribe_many(files)
    monkeypatch.setattr(transcriber_module, "POOL_FROM_S", 0.0)
    pooled = Transcriber.load("default", "cpu", decode_workers=2)
    together = pooled.transcribe_many(files)
    assert pooled.pool.started
    pooled.close()
    for a, b in zip(alone, together, strict=True):
        assert a.text == b.text and a.words == b.words


def test_search_on_the_processes_overlaps_the_next_batch_and_changes_no_word(monkeypatch):
    """Batch k's model runs while batch k-1 is searched; files (several chunks each, spread over batches) come
    out in order with the words of decoding in this process, for greedy and LM variants side by side."""
    files = _human_files(8)
    small = {"chunk_s": 2.0, "batch_s": 4.0}  # a few chunks per file, a few chunks per batch: many batches
    variants = [None, DecodeOptions(lm=str(LM_FILE))]
    alone = list(Transcriber.load("default", "cpu", decode_workers=1, **small).iter_transcribe(files,
                                                                                             variants=variants))
    monkeypatch.setattr(transcriber_module, "POOL_FROM_S", 0.0)
    events = []
    run_batch, collect = Transcriber._run_batch, transcriber_module._collect

    def logged_run(self, queue, decoders, progress):
        flight = run_batch(self, queue, decoders, progress)
        number = sum(kind == "model" for kind, _ in events)
        events.append(("model", number))
        flight.number = number  # (on a GPU's policy every pooled batch is in flight)
        return flight

    def logged_collect(flight):
        events.append(("collected", flight.number))
        collect(flight)

    monkeypatch.setattr(Transcriber, "_run_batch", logged_run)
    monkeypatch.setattr(transcriber_module, "_collect", logged_collect)
    pooled = Transcriber.load("default", "cpu", decode_workers=2, **small)
    assert not pooled.overlap_decoding  # a GPU's policy (on a CPU the model and the search share the cores)
    pooled.overlap_decoding = True
    try:
        together = list(pooled.iter_transcribe(files, variants=variants))
    finally:
        pooled.close()
    assert [r.index for r in together] == list(range(len(files)))
    for a, b in zip(alone, together, strict=True):
        for x, y in zip(a.transcripts, b.transcripts, strict=True):
            assert x.text == y.text and x.words == y.words
    batches = [key for kind, key in events if kind == "model"]
    assert len(batches) >= 4 and [kind for kind, _ in events].count("collected") == len(batches)
    for earlier, later in zip(batches, batches[1:], strict=False):  # the next model ran before the last was collected
        assert events.index(("model", later)) < events.index(("collected", earlier))


def test_on_a_cpu_each_batch_is_searched_before_the_next_runs(monkeypatch):
    monkeypatch.setattr(transcriber_module, "POOL_FROM_S", 0.0)
    flights = []
    run_batch = Transcriber._run_batch
    monkeypatch.setattr(Transcriber, "_run_batch", lambda self, *a: flights.append(run_batch(self, *a)))
    pooled = Transcriber.load("default", "cpu", decode_workers=2, chunk_s=2.0, batch_s=4.0)
    try:
        pooled.transcribe_many(_human_files(8))
        assert pooled.pool.started  # searched on the processes, each batch before the next one's model ran
    finally:
        pooled.close()
    assert len(flights) >= 3 and flights == [None] * len(flights)


def test_a_file_that_breaks_while_its_chunks_are_searched_still_comes_out_in_order(monkeypatch):
    """Its error is reported once its searched chunks are back, and every file after it comes out too."""
    from seqstudio.core.errors import SeqStudioError

    files = _human_files(4)
    chunked = transcriber_module.iter_audio_chunks

    def breaking(path, *args, **kwargs):  # the second file breaks after its first chunk
        chunks = chunked(path, *args, **kwargs)
        yield next(chunks)
        if Path(path) == files[1]:
            raise SeqStudioError(f"{path} is truncated")
        yield from chunks

    small = {"chunk_s": 2.0, "batch_s": 3.0}
    alone = list(Transcriber.load("default", "cpu", **small).iter_transcribe(files))
    monkeypatch.setattr(transcriber_module, "iter_audio_chunks", breaking)
    monkeypatch.setattr(transcriber_module, "POOL_FROM_S", 0.0)
    pooled = Transcriber.load("default", "cpu", decode_workers=2, **small)
    pooled.overlap_decoding = True
    try:
        results = list(pooled.iter_transcribe(files))
    finally:
        pooled.close()
    assert [r.index for r in results] == list(range(len(files)))
    assert "truncated" in str(results[1].error)
    for i in (0, 2, 3):
        assert results[i].error is None and results[i].transcript.words == alone[i].transcript.words


def test_a_cancelled_transcription_leaves_the_processes_usable(monkeypatch):
    from seqstudio.core.errors import Cancelled
    from seqstudio.core.progress import Progress

    files = _human_files(6)
    monkeypatch.setattr(transcriber_module, "POOL_FROM_S", 0.0)
    pooled = Transcriber.load("default", "cpu", decode_workers=2, chunk_s=2.0, batch_s=4.0)
    pooled.overlap_decoding = True
    dropped = []
    cancel = transcriber_module._InFlight.cancel
    monkeypatch.setattr(transcriber_module._InFlight, "cancel", lambda flight: dropped.append(flight) or cancel(flight))
    progress = Progress()
    try:
        results = pooled.iter_transcribe(files, progress=progress)
        next(results)  # the first file is out; later batches are in flight
        progress.cancel()
        with pytest.raises(Cancelled):
            list(results)
        assert dropped  # the batch still being searched when the cancel came was dropped
        again = pooled.transcribe_many(files[:2])  # the processes still work
    finally:
        pooled.close()
    alone = Transcriber.load("default", "cpu", chunk_s=2.0, batch_s=4.0).transcribe_many(files[:2])
    assert [t.text for t in again] == [t.text for t in alone]


def test_workers_import_no_torch_and_leave_ctrl_c_to_the_caller():
    assert "torch" in sys.modules  # the caller has it; the spawned workers must not
    pool = DecodePool(2)
    try:
        pool.decode(_rows(1, 8), [0.0] * 8, CharVocab(), DecodeOptions(beam_size=4), load_lm(LM_FILE), 0.04)
        executor = pool._start()
        probes = [executor.submit(eval, "('torch' in __import__('sys').modules, __import__('signal').getsignal(2)"
                                        " == __import__('signal').SIG_IGN, 'seqstudio.speech.beam' in "
                                        "__import__('sys').modules)") for _ in range(6)]
        answers = {p.result() for p in probes}
    finally:
        pool.close()
    assert answers == {(False, True, True)}


@pytest.mark.parametrize("change", ["rewritten", "deleted"])
def test_an_lm_file_changed_since_it_was_read_is_not_used_by_workers(tmp_path, change):
    copy = tmp_path / "lm.arpa"
    copy.write_bytes(LM_FILE.read_bytes())
    lm = NgramLM.read_arpa(copy)
    if change == "rewritten":  # another valid LM in its place
        NgramLM.train(["front center rear right"] * 3, order=2).write_arpa(copy, overwrite=True)
    else:
        copy.unlink()
    vocab, options, rows = CharVocab(), DecodeOptions(beam_size=8), _rows(2, 6)
    pool = DecodePool(2)
    try:
        got = pool.decode(rows, [0.0] * 6, vocab, options, lm, 0.04)
    finally:
        pool.close()
    assert got == [beam_decode(r, vocab, frame_shift_s=0.04, options=options, lm=lm)[0] for r in rows]


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "many"])
def test_decode_workers_must_be_auto_or_a_positive_integer(bad):
    with pytest.raises(ValueError, match="decode_workers"):
        Transcriber.load("default", "cpu", decode_workers=bad)


def test_a_pool_whose_worker_died_decodes_here_from_then_on():
    vocab, lm, options = CharVocab(), load_lm(LM_FILE), DecodeOptions(beam_size=4)
    rows = _rows(3, 6)
    expected = [beam_decode(r, vocab, frame_shift_s=0.04, options=options, lm=lm)[0] for r in rows]
    pool = DecodePool(2)
    try:
        assert pool.decode(rows, [0.0] * 6, vocab, options, lm, 0.04) == expected
        with pytest.raises(BrokenProcessPool):
            pool._start().submit(eval, "__import__('os')._exit(3)").result()  # as an out-of-memory kill would
        with pytest.warns(RuntimeWarning, match="__main__"):
            assert pool.decode(rows, [0.0] * 6, vocab, options, lm, 0.04) == expected
        assert pool.broken and not pool.started  # not started again: a script without a main guard would
    finally:                                      # run itself once more in every new worker
        pool.close()


@pytest.mark.parametrize(("cores", "device", "workers"),
                         [(2, "cpu", 1), (2, "cuda", 2), (8, "cpu", 8), (32, "cuda", 16)])
def test_auto_workers_follow_the_device_and_the_cores(monkeypatch, cores, device, workers):
    import torch

    monkeypatch.setattr(transcriber_module, "available_cores", lambda: cores)
    assert transcriber_module.auto_decode_workers(torch.device(device)) == workers
