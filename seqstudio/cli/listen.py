"""``seqstudio listen``: live transcription of raw audio on standard input, word by word, with a streaming model."""

from __future__ import annotations

import argparse
import shutil
import sys

from seqstudio.cli.common import add_device

_DESCRIPTION = """\
Live transcription: raw audio read from standard input as it arrives, each word printed as soon as it is
final, by a streaming model: the shipped models/speech-streaming, or one of yours (`seqstudio train speech
--streaming`).

  arecord -q -f S16_LE -r 16000 -c 1 | seqstudio listen
  ffmpeg -loglevel quiet -i talk.mp3 -f s16le -ac 1 -ar 16000 - | seqstudio listen --times

Input is headerless PCM, mono, little-endian: s16le (16-bit integers, the default) or f32le (32-bit floats),
at --rate Hz (resampled to the model's rate as it arrives). A word is printed when the space after it is
decoded (a pause of a second starts a new line), and with --partial what is heard but not final yet shows,
dimmed, at the end of the terminal's line; the last words come when the input ends. Ctrl-C stops listening
and prints what was heard so far."""

FORMATS = {"s16le": "<i2", "f32le": "<f4"}
PAUSE_S = 1.0  # without --times, a pause this long between words starts a new line


def register(sub) -> None:
    p = sub.add_parser("listen", help="live transcription of raw audio on stdin (a streaming model)",
                       description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="default",
                   help="a streaming model's folder, or its name under models/ (default: speech-streaming)")
    p.add_argument("--rate", type=int, default=16000, help="sample rate of the input in Hz (default 16000)")
    p.add_argument("--pcm", choices=sorted(FORMATS), default="s16le", help="sample format (default s16le)")
    p.add_argument("--piece-ms", type=float, default=100.0,
                   help="at most this much audio is read before the model hears it (default 100 ms)")
    p.add_argument("--times", action="store_true", help="one word a line, with its start and end in seconds")
    p.add_argument("--partial", action="store_true",
                   help="on a terminal, also show (dimmed, at the end of the line) what is heard but not final yet")
    p.add_argument("--threads", type=int, default=1,
                   help="CPU threads for torch (default 1: a piece is too small to share; measured 2.7 ms per "
                        "100-ms piece on one core, 3.5 on two)")
    add_device(p)
    p.set_defaults(run=run_listen)


def run_listen(args: argparse.Namespace) -> int:
    import numpy as np

    from seqstudio.core.errors import SeqStudioError
    from seqstudio.core.threads import check_threads
    from seqstudio.speech.streaming import StreamingRecognizer

    if not 1000 <= args.rate <= 384000:
        raise SeqStudioError("--rate must be from 1000 to 384000 Hz")
    if not 1.0 <= args.piece_ms <= 10000.0:
        raise SeqStudioError("--piece-ms must be from 1 to 10000")
    check_threads(args.threads)
    if sys.stdin is None or sys.stdout is None:
        raise SeqStudioError("listen needs standard input (the audio) and standard output (the words) open")
    if sys.stdin.isatty():
        raise SeqStudioError("listen reads raw audio from standard input: pipe it in, e.g. "
                             "`arecord -q -f S16_LE -r 16000 -c 1 | seqstudio listen`")
    import torch

    if args.partial and (args.times or not sys.stdout.isatty()):
        raise SeqStudioError("--partial rewrites the terminal's last line: it needs standard output to be a terminal, "
                             "and no --times")
    torch.set_num_threads(args.threads)
    dtype = FORMATS[args.pcm]
    width = np.dtype(dtype).itemsize
    live = StreamingRecognizer.load(args.model, args.device, sample_rate=args.rate)
    piece_bytes = max(1, int(args.rate * args.piece_ms / 1000)) * width
    source = sys.stdin.buffer
    read = source.read1 if hasattr(source, "read1") else source.read
    out = sys.stdout
    last_end = None
    line = ""  # --partial: the final words of the terminal's last line, rewritten with the partial after them

    def show(update) -> None:
        nonlocal last_end, line
        for word in update.words:
            if args.times:
                out.write(f"{word.start:8.2f} {word.end:8.2f}  {word.text}\n")
            else:  # a pause of a second or more starts a new line, for whoever reads line by line
                gap = last_end is not None and word.start - last_end >= PAUSE_S
                full = args.partial and len(line) + len(word.text) + 1 > shutil.get_terminal_size().columns - 20
                if gap or full:
                    out.write(("\r\033[K" + line if args.partial else "") + "\n")
                    line = ""
                elif not args.partial and last_end is not None:
                    out.write(" ")
                if args.partial:
                    line = f"{line} {word.text}" if line else word.text
                else:
                    out.write(word.text)
            last_end = word.end
        if args.partial:
            room = shutil.get_terminal_size().columns - len(line) - 2
            tail = update.partial[-room:] if room > 0 else ""
            out.write("\r\033[K" + line + (f" \033[2m{tail}\033[0m" if tail else ""))
        out.flush()

    left = b""
    while True:
        try:  # Ctrl-C is taken while waiting for audio, never halfway through hearing a piece
            data = read(piece_bytes)
        except KeyboardInterrupt:
            break
        if not data:
            break
        data = left + data
        whole = len(data) - len(data) % width  # a sample split between reads waits for its other bytes
        left = data[whole:]
        show(live.accept(np.frombuffer(data[:whole], dtype=dtype)))  # int16 PCM: the recogniser scales it
    show(live.finish())
    if not args.times and live.words:
        out.write("\n")
    if left:
        print(f"seqstudio: warning: the input ended inside a sample ({len(left)} stray byte(s) ignored)",
              file=sys.stderr)
    return 0
