"""Continuing a seed: prefill the LSTM on the seed, then sample variations step by step.

All variations run as one batch. Everything a step does after the LSTM -- the masks (voices, sounding
notes, repeated VELOCITY/TRACK), density steering, temperature, top-k, top-p, sampling and the
bookkeeping of time and sounding notes -- is one numba function, ``_choose``. On the CPU it runs in the
same compiled loop as the LSTM step kernel, a chunk of tokens per call, so Python is visited only to
report progress and to let a cancel through. Uniform draws come from one seeded numpy generator, B per
step in row order, so the same RNG seed, model and options give the same notes.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass

import numpy as np
import pretty_midi
import torch
from numba import njit

from seqstudio.core.errors import SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.music.bundle import MusicBundle
from seqstudio.music.midi_io import Score, window
from seqstudio.music.options import TOKENS_PER_SECOND_CAP, GenerateOptions
from seqstudio.music.steering import DensityController, estimate_key, key_name, scale_mask
from seqstudio.music.stepper import make_stepper
from seqstudio.music.tokenizer import BOS, PAD, DecoderState, Note
from seqstudio.nn.fast_step import lstm_step


@dataclass
class Take:
    midi: pretty_midi.PrettyMIDI  # the output file's content
    notes: list[Note]  # the continuation, times from its own start
    seed_end: float  # where the continuation begins in a file that includes the seed
    rng_seed: int
    variation: int
    key: str | None
    tokens: np.ndarray  # the continuation's tokens
    complete: bool = True  # False when the token cap stopped a runaway variation before the full length


def _context_tokens(bundle: MusicBundle, score: Score, opts: GenerateOptions) -> np.ndarray:
    first = min(n.start for n in score.notes)
    whole = opts.context_seconds is None or score.end_time - opts.context_seconds <= first
    start = first if whole else score.end_time - opts.context_seconds
    notes = window(score.notes, start)  # re-timed to the first note, as in training
    if not notes:
        raise SeqStudioError("the seed has no notes in the chosen context window")
    tokens = bundle.tokenizer.encode(notes, bos=whole).astype(np.int64)
    if len(tokens) > opts.max_context_tokens:
        tokens = tokens[-opts.max_context_tokens :]
    return tokens


_CHUNK = 64  # tokens per compiled call: progress and cancellation are looked at between chunks
_SELECT = 32  # top-p: kept tokens found by repeated max-search before falling back to a full sort


@njit(cache=True)
def _top_p(p, top_p, keep):
    """keep[v] = True for the tokens of the nucleus: in order of falling probability (ties: lower id
    first), a token is kept while the mass before it is under ``top_p``; the top token always is."""
    n = p.shape[0]
    keep[:] = False
    c = 0.0
    for _ in range(min(n, _SELECT)):  # usually a handful of tokens hold the mass: no sort needed
        best, bp = -1, -1.0
        for v in range(n):
            if not keep[v] and p[v] > bp:
                best, bp = v, p[v]
        c += bp
        if c - bp >= top_p:
            return
        keep[best] = True
    keep[:] = False
    c = 0.0
    order = np.argsort(-p, kind="mergesort")  # stable: the same order as the search above
    for i in range(n):
        v = order[i]
        c += p[v]
        if c - p[v] >= top_p:
            return
        keep[v] = True


@njit(cache=True)
def _sample_row(x, p, keep, temperature, top_k, top_p, u):
    """One token from masked logits x (V,) float64 (-inf where forbidden; x is overwritten), given a
    uniform draw u in [0, 1). Temperature 0 is argmax (the lowest id among ties); otherwise softmax of
    x / temperature, cut to the top k (ties with the k-th kept) and to the top-p nucleus, sampled by
    inverse CDF in token order."""
    n = x.shape[0]
    if temperature == 0:
        return np.argmax(x)
    for v in range(n):
        x[v] = x[v] / temperature
    if 0 < top_k < n:
        kth = np.partition(x, n - top_k)[n - top_k]
        for v in range(n):
            if x[v] < kth:
                x[v] = -np.inf
    m = x.max()
    total = 0.0
    masked_is_zero = m > -np.inf  # then exp(-inf - m) is exactly 0: no exp call for a masked token
    for v in range(n):
        p[v] = 0.0 if masked_is_zero and x[v] == -np.inf else np.exp(x[v] - m)
        total += p[v]
    for v in range(n):
        p[v] /= total
    if top_p < 1.0:
        _top_p(p, top_p, keep)
        for v in range(n):
            if not keep[v]:
                p[v] = 0.0
    mass = 0.0
    for v in range(n):
        mass += p[v]
    target, c, chosen = u * mass, 0.0, -1
    for v in range(n):
        if p[v] > 0.0:
            c += p[v]
            chosen = v
            if c >= target:
                break
    return chosen


@njit(cache=True)
def _density_advance(b, seconds, notes, time, bias, log_target, window, gain, limit):
    """``DensityController.advance`` for row b, on the controller's own arrays (tested to agree)."""
    decay = np.exp(-seconds / window)
    notes[b] *= decay
    time[b] = time[b] * decay + seconds
    rate = notes[b] / max(time[b], 0.25)
    error = log_target - np.log(max(rate, 0.05))
    bias[b] = min(max(bias[b] + gain * seconds * error, -limit), limit)


@njit(cache=True)
def _choose(logits, u, out, base, shift, cfg_i, cfg_f, last, track, steps, finished, sounding, d_notes,
            d_time, d_bias, x, p, keep):
    """Pick the next token of every unfinished row from logits (B, V) and advance its bookkeeping.

    out (B,) gets the token, or -1 where the row was finished before or ends now (a TIME_SHIFT that
    would pass the requested length ends a row and is not kept). cfg_i = (NOTE_ON, NOTE_OFF, VELOCITY,
    TRACK first ids, top_k, target length in steps, density on); cfg_f = (temperature, top_p, seconds
    per step, then DensityController's log_target, window, gain, limit)."""
    on_lo, off_lo, vel_lo, trk_lo, top_k, target, density = cfg_i[0], cfg_i[1], cfg_i[2], cfg_i[3], \
        cfg_i[4], cfg_i[5], cfg_i[6]
    temperature, top_p, time_step = cfg_f[0], cfg_f[1], cfg_f[2]
    n_vocab = base.shape[0]
    for b in range(logits.shape[0]):
        out[b] = -1
        if finished[b]:
            continue
        tr, prev = track[b], last[b]
        for v in range(n_vocab):
            x[v] = np.float64(logits[b, v]) + base[v]
        for pitch in range(128):  # NOTE_OFF only for sounding pitches, NOTE_ON only for the others
            if sounding[b, tr, pitch] > 0:
                x[on_lo + pitch] = -np.inf
            else:
                x[off_lo + pitch] = -np.inf
        # a VELOCITY right after a VELOCITY (or TRACK after TRACK) changes nothing: forbid it, so that a
        # model cannot stall on such tokens (an undertrained one at temperature 0 does)
        if vel_lo <= prev < trk_lo:
            x[vel_lo:trk_lo] = -np.inf
        if trk_lo <= prev < n_vocab:
            x[trk_lo:n_vocab] = -np.inf
        if density:
            x[on_lo : on_lo + 128] += d_bias[b]
        nxt = _sample_row(x, p, keep, temperature, top_k, top_p, u[b])
        last[b] = nxt
        dt = shift[nxt]
        if dt > 0 and steps[b] + dt >= target:  # this shift would pass the end
            finished[b] = True
            steps[b] = target
            continue
        steps[b] += dt
        out[b] = nxt
        if on_lo <= nxt < on_lo + 128:
            sounding[b, tr, nxt - on_lo] += 1
            d_notes[b] += 1.0
        elif off_lo <= nxt < off_lo + 128:
            sounding[b, tr, nxt - off_lo] -= 1
        elif trk_lo <= nxt < n_vocab:
            track[b] = nxt - trk_lo
        if density and dt > 0:
            _density_advance(b, dt * time_step, d_notes, d_time, d_bias, cfg_f[3], cfg_f[4], cfg_f[5], cfg_f[6])


@njit(cache=True)
def _fused_steps(uniforms, out, kernel, logits, base, shift, cfg_i, cfg_f, last, track, steps, finished,
                 sounding, d_notes, d_time, d_bias, x, p, keep):
    """Up to len(uniforms) steps of LSTM kernel + ``_choose`` without leaving compiled code; stops early
    when every row has finished. Returns the number of steps taken."""
    for i in range(uniforms.shape[0]):
        lstm_step(last, *kernel, logits)
        _choose(logits, uniforms[i], out[i], base, shift, cfg_i, cfg_f, last, track, steps, finished, sounding,
                d_notes, d_time, d_bias, x, p, keep)
        if finished.all():
            return i + 1
    return uniforms.shape[0]


def _sample(logits: np.ndarray, opts: GenerateOptions, rng: np.random.Generator) -> np.ndarray:
    """One token per row of masked logits (B, V), drawn as generation draws them (for tests and tools)."""
    n = logits.shape[1]
    p, keep = np.empty(n), np.empty(n, dtype=bool)
    u = rng.random(len(logits))
    return np.array([_sample_row(np.array(row, dtype=np.float64), p, keep, float(opts.temperature), opts.top_k,
                                 float(opts.top_p), u[b]) for b, row in enumerate(logits)], dtype=np.int64)


def continue_score(bundle: MusicBundle, score: Score, opts: GenerateOptions, device: torch.device,
                   progress: Progress | None = None) -> list[Take]:
    opts.validate()
    progress = progress or Progress()
    tok = bundle.tokenizer
    rng_seed = opts.rng_seed if opts.rng_seed is not None else secrets.randbits(62)
    rng = np.random.default_rng(rng_seed)
    batch = opts.variations

    context = _context_tokens(bundle, score, opts)
    stepper = make_stepper(bundle.model, device, opts.precision)
    stepper.prefill(context, batch)

    # the voice and velocity in force where the context ends carry over into the continuation; they are
    # set by the last TRACK and the last VELOCITY token, wherever each of them stands
    tracks = context[(context >= tok.track) & (context < tok.vocab_size)]
    velocities = context[(context >= tok.velocity) & (context < tok.track)]
    start_track = int(tracks[-1]) - tok.track if len(tracks) else 0
    start_velocity = int(velocities[-1]) if len(velocities) else None

    # static masks
    base = np.zeros(tok.vocab_size)
    base[[PAD, BOS]] = -np.inf
    base[tok.track + len(score.slots) : tok.vocab_size] = -np.inf  # only the seed's voices
    key = None
    if opts.key_lock:
        tonic, mode = estimate_key(score.notes)
        key = key_name(tonic, mode)
        base[tok.note_on : tok.note_on + 128][~scale_mask(tonic, mode)] = -np.inf
    steps_target = int(round(opts.seconds / tok.config.time_step))
    density = DensityController(opts.density or 1.0, batch)  # its arrays are used only with opts.density
    cfg_i = np.array([tok.note_on, tok.note_off, tok.velocity, tok.track, opts.top_k, steps_target,
                      opts.density is not None], dtype=np.int64)
    cfg_f = np.array([opts.temperature, opts.top_p, tok.config.time_step, density.log_target, density.window,
                      density.gain, density.limit], dtype=np.float64)
    # per variation: last token, voice, time reached (tokenizer steps), done; pitches sounding per (voice,
    # pitch): NOTE_OFF only for these, NOTE_ON only for the others
    last = np.full(batch, context[-1], dtype=np.int64)
    track = np.full(batch, start_track, dtype=np.int64)
    steps = np.zeros(batch, dtype=np.int64)
    finished = np.zeros(batch, dtype=bool)
    sounding = np.zeros((batch, tok.config.max_tracks, 128), dtype=np.int32)
    n_vocab = tok.vocab_size
    sampler = (base, tok.shift_steps().astype(np.int64), cfg_i, cfg_f, last, track, steps, finished, sounding,
               density.notes, density.time, density.bias, np.empty(n_vocab), np.empty(n_vocab),
               np.empty(n_vocab, dtype=bool))
    max_tokens = int(opts.seconds * TOKENS_PER_SECOND_CAP) + 64
    chunks: list[np.ndarray] = []
    done = 0
    progress.start(steps_target, "composing")
    while done < max_tokens and not finished.all():
        n = min(_CHUNK, max_tokens - done)
        uniforms = rng.random((n, batch))  # the same stream as n draws of `batch`, one step at a time
        out = np.empty((n, batch), dtype=np.int64)
        if stepper.fused:
            n = _fused_steps(uniforms, out, stepper.kernel_args(), np.empty((batch, n_vocab), np.float32), *sampler)
        else:
            for i in range(n):
                _choose(stepper.step(last), uniforms[i], out[i], *sampler)
                if finished.all():
                    n = i + 1
                    break
        chunks.append(out[:n])
        done += n
        progress.update(int(steps.min()))
        progress.check()
    progress.finish()
    tokens = np.concatenate(chunks) if chunks else np.empty((0, batch), dtype=np.int64)

    takes = []
    for b in range(batch):
        generated = tokens[:, b][tokens[:, b] >= 0]
        decoder = DecoderState(tok)
        decoder.track = start_track
        if start_velocity is not None:
            decoder.feed(start_velocity)
        for t in generated.tolist():
            decoder.feed(t)
        notes = [n for n in decoder.close(end_time=opts.seconds) if n.start < opts.seconds]
        notes = [Note(n.track, n.pitch, n.start, min(n.end, opts.seconds), n.velocity) for n in notes]
        midi = render(score, notes, opts.include_seed)
        takes.append(Take(midi, notes, score.end_time, rng_seed, b + 1, key, generated,
                          complete=bool(finished[b])))
    return takes


def render(score: Score, continuation: list[Note], include_seed: bool) -> pretty_midi.PrettyMIDI:
    """The output file: the seed's own MIDI (tempo map, signatures, instruments, drums) plus the
    continuation's notes in the instruments of their slots. Without the seed, the continuation starts at
    0 s and only the instruments that play in it remain.

    The seed's timing tables are shared, not copied: a long seed's tick-to-time table can be large, and
    there is one output per variation. Only the instruments, which get new notes, are copied."""
    midi = copy.copy(score.midi)
    midi.instruments = []
    slot_of = {id(inst): slot for slot, inst in enumerate(score.slots)}
    by_slot: dict[int, pretty_midi.Instrument] = {}
    for inst in score.midi.instruments:
        out = pretty_midi.Instrument(inst.program, is_drum=inst.is_drum, name=inst.name)
        if include_seed:
            out.notes = list(inst.notes)
            out.pitch_bends = list(inst.pitch_bends)
            out.control_changes = list(inst.control_changes)
        midi.instruments.append(out)
        if id(inst) in slot_of:
            by_slot[slot_of[id(inst)]] = out
    offset = score.end_time if include_seed else 0.0
    for n in continuation:
        by_slot[n.track].notes.append(pretty_midi.Note(n.velocity, n.pitch, n.start + offset, n.end + offset))
    midi.instruments = [inst for inst in midi.instruments if inst.notes]
    for inst in midi.instruments:
        inst.notes.sort(key=lambda n: (n.start, n.pitch))
    return midi
