"""Synthetic speech corpus: offline English voices (:mod:`.voices`), the engines that read text aloud
(:mod:`.synth`) and the sentences they read (:mod:`.sentences`).

No speech corpus can be downloaded where SeqStudio's default model is trained, so it learns from text
read by the offline TTS voices there are (espeak-ng, flite, festival; Piper's neural voice when named).
Whole voices (speakers) and whole sentences are held out for validation and test, so the held-out
numbers measure generalisation to unseen voices and texts.
"""

from seqstudio.speech.corpus.sentences import collect_sentences, sentence_split
from seqstudio.speech.corpus.synth import synthesize, synthesize_many
from seqstudio.speech.corpus.voices import VOICES, Voice, available_voices, get_voice, voices_in_split

__all__ = [
    "VOICES",
    "Voice",
    "available_voices",
    "collect_sentences",
    "get_voice",
    "sentence_split",
    "synthesize",
    "synthesize_many",
    "voices_in_split",
]
