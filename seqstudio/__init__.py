"""SeqStudio: stacked LSTMs that transcribe speech and compose music.

``import seqstudio`` is cheap: the public classes load torch only when first used.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Composer", "StreamingRecognizer", "Transcriber", "__version__"]


def __getattr__(name: str):
    if name == "Composer":
        from seqstudio.music.composer import Composer

        return Composer
    if name == "StreamingRecognizer":
        from seqstudio.speech.streaming import StreamingRecognizer

        return StreamingRecognizer
    if name == "Transcriber":
        from seqstudio.speech.transcriber import Transcriber

        return Transcriber
    raise AttributeError(f"module 'seqstudio' has no attribute {name!r}")
