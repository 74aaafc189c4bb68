"""OpenMP settings for SeqStudio's own processes, made before torch is loaded."""

from __future__ import annotations

import os
import sys

SPIN_COUNT = "1000"


def tame_openmp_spinning() -> bool:
    """Let torch's OpenMP threads sleep soon when they wait; True when this call set it.

    PyTorch's CPU kernels run on GNU OpenMP, whose idle threads spin (by default for about 300,000 rounds)
    at every barrier before they sleep. An LSTM passes a barrier at every time step, and when two busy
    processes share the cores (the app transcribing while a training runs, two jobs of the CLI) a spinning
    thread holds a core that its peer in the other process needs: every barrier then waits for a thread
    the kernel has descheduled. Measured on the 2-core machine, greedy transcription of 240 s of audio with
    2 threads: 0.8 s alone, but 2.6 s, 47 s and 130 s each for two such processes at once; with a spin
    count of 1,000 two at once took 3.8 s each and one alone still 0.79 s (a music training step 0.67-0.70
    vs 0.64-0.70 s; OMP_WAIT_POLICY=PASSIVE instead made one alone 3.5x slower). Nothing is changed when
    the user has chosen (OMP_WAIT_POLICY or GOMP_SPINCOUNT set) or torch is loaded already (too late).
    """
    if "torch" in sys.modules or "OMP_WAIT_POLICY" in os.environ or "GOMP_SPINCOUNT" in os.environ:
        return False
    os.environ["GOMP_SPINCOUNT"] = SPIN_COUNT
    return True


MAX_THREADS_PER_CORE = 4


def check_threads(threads: int) -> None:
    """A one-line error for a ``--threads`` that torch cannot take: below 1, or so far above the cores
    that OpenMP stalls or crashes (100,000 threads segfaulted; 4,096 ran for minutes before its first step)."""
    from seqstudio.core.errors import SeqStudioError

    limit = MAX_THREADS_PER_CORE * (os.cpu_count() or 1)
    if not 1 <= threads <= limit:
        raise SeqStudioError(f"--threads must be from 1 to {limit} ({MAX_THREADS_PER_CORE} per core here)")
