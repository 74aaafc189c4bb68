"""Continuing a seed: prefill the LSTM on the seed in one call, then sample variations step by step.

All variations run as one batch. Sampling happens in numpy with one seeded generator, so the same RNG
seed, model and options give the same notes.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass

import numpy as np
import pretty_midi
import torch

from seqstudio.core.errors import SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.music.bundle import MusicBundle
from seqstudio.music.midi_io import Score, window
from seqstudio.music.options import TOKENS_PER_SECOND_CAP, GenerateOptions
from seqstudio.music.steering import DensityController, estimate_key, key_name, scale_mask
from seqstudio.music.stepper import make_stepper
from seqstudio.music.tokenizer import BOS, PAD, DecoderState, Note


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


def _sample(logits: np.ndarray, opts: GenerateOptions, rng: np.random.Generator) -> np.ndarray:
    """One token per row from masked logits (-inf where forbidden)."""
    if opts.temperature == 0:
        return logits.argmax(axis=1)
    logits = logits / opts.temperature
    if opts.top_k and opts.top_k < logits.shape[1]:
        kth = np.partition(logits, -opts.top_k, axis=1)[:, -opts.top_k][:, None]
        logits = np.where(logits < kth, -np.inf, logits)
    logits = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    if opts.top_p < 1.0:
        order = np.argsort(-probs, axis=1)
        sorted_p = np.take_along_axis(probs, order, axis=1)
        keep_sorted = np.cumsum(sorted_p, axis=1) - sorted_p < opts.top_p  # the top token is always kept
        keep = np.zeros_like(keep_sorted)
        np.put_along_axis(keep, order, keep_sorted, axis=1)
        probs = np.where(keep, probs, 0.0)
        probs /= probs.sum(axis=1, keepdims=True)
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None] * cdf[:, -1:]
    return np.minimum((cdf < u).sum(axis=1), probs.shape[1] - 1)


def continue_score(bundle: MusicBundle, score: Score, opts: GenerateOptions, device: torch.device,
                   progress: Progress | None = None) -> list[Take]:
    opts.validate()
    progress = progress or Progress()
    tok = bundle.tokenizer
    rng_seed = opts.rng_seed if opts.rng_seed is not None else secrets.randbits(62)
    rng = np.random.default_rng(rng_seed)
    batch = opts.variations

    context = _context_tokens(bundle, score, opts)
    stepper = make_stepper(bundle.model, device)
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
    shift_steps = tok.shift_steps()
    steps_target = int(round(opts.seconds / tok.config.time_step))
    density = DensityController(opts.density, batch) if opts.density else None

    generated: list[list[int]] = [[] for _ in range(batch)]
    finished = np.zeros(batch, dtype=bool)
    steps = np.zeros(batch, dtype=np.int64)  # time reached by each variation, in tokenizer steps
    rows = np.arange(batch)
    # pitches sounding per (variation, track): NOTE_OFF only for these, NOTE_ON only for the others. Kept as
    # arrays (not per-variation decoders) so that masking costs a few numpy calls per step at any batch size.
    sounding = np.zeros((batch, tok.config.max_tracks, 128), dtype=np.int32)
    track = np.full(batch, start_track)
    on_lo, off_lo = tok.note_on, tok.note_off
    max_tokens = int(opts.seconds * TOKENS_PER_SECOND_CAP) + 64
    last = np.full(batch, context[-1], dtype=np.int64)
    progress.start(steps_target, "composing")
    for _ in range(max_tokens):
        logits = stepper.step(last).astype(np.float64) + base
        is_on = sounding[rows, track] > 0
        logits[:, off_lo : off_lo + 128][~is_on] = -np.inf
        logits[:, on_lo : on_lo + 128][is_on] = -np.inf
        # a VELOCITY right after a VELOCITY (or TRACK after TRACK) changes nothing: forbid it, so that a
        # model cannot stall on such tokens (an undertrained one at temperature 0 does)
        after_velocity = (last >= tok.velocity) & (last < tok.track)
        logits[after_velocity, tok.velocity : tok.track] = -np.inf
        after_track = (last >= tok.track) & (last < tok.vocab_size)
        logits[after_track, tok.track : tok.vocab_size] = -np.inf
        if density is not None:
            logits[:, on_lo : on_lo + 128] += density.bias[:, None]
        nxt = _sample(logits, opts, rng)
        dt = shift_steps[nxt]
        ends = ~finished & (dt > 0) & (steps + dt >= steps_target)  # this shift would pass the end
        finished |= ends
        live = ~finished
        steps[ends] = steps_target
        steps[live] += dt[live]
        for b in np.flatnonzero(live):
            generated[b].append(int(nxt[b]))
        new_on = live & (nxt >= on_lo) & (nxt < on_lo + 128)
        new_off = live & (nxt >= off_lo) & (nxt < off_lo + 128)
        sounding[rows[new_on], track[new_on], nxt[new_on] - on_lo] += 1
        sounding[rows[new_off], track[new_off], nxt[new_off] - off_lo] -= 1
        new_track = live & (nxt >= tok.track) & (nxt < tok.vocab_size)
        track[new_track] = nxt[new_track] - tok.track
        if density is not None:
            density.note_on(np.flatnonzero(new_on))
            moved = np.flatnonzero(live & (dt > 0))
            density.advance(moved, dt[moved] * tok.config.time_step)
        last = nxt
        progress.update(int(steps.min()))
        progress.check()
        if finished.all():
            break
    progress.finish()

    takes = []
    for b in range(batch):
        decoder = DecoderState(tok)
        decoder.track = start_track
        if start_velocity is not None:
            decoder.feed(start_velocity)
        for t in generated[b]:
            decoder.feed(t)
        notes = [n for n in decoder.close(end_time=opts.seconds) if n.start < opts.seconds]
        notes = [Note(n.track, n.pitch, n.start, min(n.end, opts.seconds), n.velocity) for n in notes]
        midi = render(score, notes, opts.include_seed)
        takes.append(Take(midi, notes, score.end_time, rng_seed, b + 1, key, np.asarray(generated[b]),
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
