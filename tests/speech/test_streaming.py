"""The streaming variant: causal features, a model that steps block by block, live words equal to the whole file's."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf
import soxr
import torch

from seqstudio import StreamingRecognizer
from seqstudio.cli.main import main
from seqstudio.core.errors import Cancelled, SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.speech import train as train_module
from seqstudio.speech.audio import load_audio
from seqstudio.speech.bundle import load_speech_model, save_speech_model
from seqstudio.speech.dataset import prepare
from seqstudio.speech.features import FeatureConfig, LogMel, OnlineNormalizer
from seqstudio.speech.manifest import read_manifest
from seqstudio.speech.model import SpeechLSTM, SpeechModelConfig, forward_direction
from seqstudio.speech.text import CharVocab
from seqstudio.speech.train import PRESETS, SpeechTrainConfig, measure_prior, train_speech
from seqstudio.speech.transcriber import Transcriber

STREAMING = replace(PRESETS["tiny"], steps=6, eval_every=3, checkpoint_every=3, streaming=True, bidirectional=False)
ONLINE = FeatureConfig(normalize="online", norm_window=40, prior_frames=20,
                       prior_mean=[-4.0 + 0.01 * b for b in range(80)], prior_std=[2.0] * 80)


def _pieces(total: int, seed: int, largest: int) -> list[slice]:
    rng = np.random.default_rng(seed)
    cuts = np.cumsum(rng.integers(0, largest + 1, size=4 * total // largest + 4))
    bounds = [0, *[int(c) for c in cuts if c < total], total]
    assert max(b - a for a, b in zip(bounds[:-1], bounds[1:], strict=True)) <= largest  # small pieces all along
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _speechlike(seconds: float, seed: int = 0) -> np.ndarray:
    """Bursts of harmonics between pauses, with a slow gain change: frames that differ, and statistics that move."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 16000)) / 16000
    f0 = 120 + 60 * np.sin(2 * np.pi * 0.3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / 16000
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = (np.sin(2 * np.pi * 1.7 * t) > -0.2) * (0.2 + 0.8 * t / seconds)
    return (0.1 * voiced * envelope + 0.003 * rng.standard_normal(t.size)).astype(np.float32)


# -- features ------------------------------------------------------------------------------------


def test_legacy_and_new_spellings_of_normalisation():
    assert FeatureConfig(normalize=True).normalize == "utterance" and FeatureConfig(normalize=False).normalize == "none"
    assert FeatureConfig.from_dict(ONLINE.to_dict()) == ONLINE
    assert json.loads(json.dumps(ONLINE.to_dict())) == ONLINE.to_dict()
    legacy = {**FeatureConfig().to_dict(), "normalize": True}
    for key in ("norm_window", "prior_frames", "prior_mean", "prior_std"):
        del legacy[key]
    assert SpeechTrainConfig(features=legacy) == SpeechTrainConfig()  # an old checkpoint's settings still resume
    with pytest.raises(ValueError, match="needs prior_mean"):
        FeatureConfig(normalize="online")
    with pytest.raises(ValueError, match="80 finite numbers"):
        replace(ONLINE, prior_mean=[0.0] * 79)
    with pytest.raises(ValueError, match="normalize must be one of"):
        FeatureConfig(normalize="global")


def test_online_features_never_look_ahead():
    frontend = LogMel(ONLINE)
    audio = torch.from_numpy(_speechlike(2.0))
    changed = audio.clone()
    changed[16000:] = torch.from_numpy(_speechlike(1.0, seed=5))
    before, _ = frontend(audio[None])
    after, _ = frontend(changed[None])
    first_touched = (16000 - ONLINE.fft_size) // ONLINE.hop_length + 1  # the first window reaching sample 16000
    torch.testing.assert_close(after[:, :first_touched], before[:, :first_touched], atol=0, rtol=0)
    assert not torch.allclose(after[:, first_touched:], before[:, first_touched:])
    # and they are normalised: near zero mean and unit variance once the utterance's own statistics dominate
    settled = before[0, 100:]
    assert settled.mean().abs() < 0.3 and 0.5 < settled.std() < 1.5


@pytest.mark.parametrize("largest", [5, 37, 160, 4000])  # 0..largest samples a piece
def test_online_features_fed_in_pieces_equal_the_whole(largest):
    frontend = LogMel(ONLINE)
    audio = torch.from_numpy(_speechlike(3.0))
    whole, frames = frontend(audio[None])
    stream = OnlineNormalizer(frontend)
    pieces = [stream.push(audio[s]) for s in _pieces(audio.numel(), largest, largest)]
    got = torch.cat(pieces)
    assert got.shape[0] == int(frames) == stream.frames
    torch.testing.assert_close(got, whole[0], atol=1e-5, rtol=1e-5)  # float64 sums in other orders
    assert stream._history.shape[1] == ONLINE.norm_window - 1  # memory stays flat


def test_per_utterance_features_cannot_stream():
    with pytest.raises(ValueError, match="cannot stream"):
        OnlineNormalizer(LogMel(FeatureConfig()))


# -- the model -----------------------------------------------------------------------------------


@pytest.mark.parametrize("subsampling", [2, 4, 8])
def test_stepping_block_by_block_gives_what_the_whole_gives(subsampling):
    torch.manual_seed(subsampling)
    model = SpeechLSTM(SpeechModelConfig(vocab_size=29, n_mels=16, conv_channels=4, subsampling=subsampling,
                                         hidden_size=16, num_layers=2, bidirectional=False)).eval()
    frames = 13 * subsampling + 3  # a partial block at the end
    features = torch.randn(2, frames, 16)
    with torch.no_grad():
        whole, _ = model(features, torch.tensor([frames, frames]))
    outputs, state, start = [], None, 0
    for blocks in (1, 3, 0, 5, 2, 1):
        out, state = model.step(features[:, start:start + blocks * subsampling], state)
        outputs.append(out)
        start += blocks * subsampling
    out, state = model.step(features[:, start:], state, final=True)
    outputs.append(out)
    torch.testing.assert_close(torch.cat(outputs, dim=1), whole, atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="whole blocks"):
        model.step(features[:, :subsampling + 1], None)


def test_a_bidirectional_model_refuses_to_step():
    model = SpeechLSTM(SpeechModelConfig(vocab_size=29, n_mels=16, hidden_size=8, num_layers=1)).eval()
    with pytest.raises(ValueError, match="cannot stream"):
        model.step(torch.zeros(1, 8, 16))


# -- training the streaming variant ---------------------------------------------------------------


class _StopAt(Progress):
    def __init__(self, step: int) -> None:
        super().__init__()
        self.step = step

    def update(self, done, info="") -> None:
        if done >= self.step:
            self.cancel()


@pytest.fixture(scope="module")
def streaming_run(tiny_speech_corpus, tmp_path_factory):
    run = tmp_path_factory.mktemp("streaming") / "run"
    train_speech(tiny_speech_corpus, run, STREAMING, torch.device("cpu"), log=lambda *_: None)
    return run


def test_a_streaming_run_measures_its_prior_and_saves_a_streaming_model(streaming_run, tiny_speech_corpus):
    bundle = load_speech_model(streaming_run / "model")
    assert not bundle.model.config.bidirectional and bundle.features.normalize == "online"
    examples, _ = prepare(read_manifest(tiny_speech_corpus / "train.jsonl"), CharVocab(), 25.0, 16.0)
    mean, std = measure_prior(examples, FeatureConfig(), STREAMING.seed)
    assert bundle.features.prior_mean == pytest.approx(mean.tolist(), abs=1e-5)
    assert bundle.features.prior_std == pytest.approx(std.tolist(), abs=1e-5)
    assert -20 < min(mean) < max(mean) < 10 and min(std) > 0.1  # log-mel power of speech, not zeros


def test_a_streaming_run_resumes_with_the_prior_it_started_with(streaming_run, tiny_speech_corpus, tmp_path,
                                                                  monkeypatch):
    run = tmp_path / "r"
    with pytest.raises(Cancelled):
        train_speech(tiny_speech_corpus, run, STREAMING, torch.device("cpu"), progress=_StopAt(4), log=lambda *_: None)

    def measure_again(*_):
        raise AssertionError("a resumed run measured its prior again")

    monkeypatch.setattr(train_module, "measure_prior", measure_again)
    train_speech(tiny_speech_corpus, run, STREAMING, torch.device("cpu"), log=lambda *_: None)
    expected, got = load_speech_model(streaming_run / "model"), load_speech_model(run / "model")
    assert got.features == expected.features
    assert all(torch.equal(a, b) for a, b in zip(expected.model.state_dict().values(), got.model.state_dict().values(),
                                                 strict=True))
    # a fresh run in a folder without a checkpoint measures afresh, whatever the folder holds
    (tmp_path / "fresh").mkdir()
    with pytest.raises(AssertionError, match="measured its prior again"):
        train_speech(tiny_speech_corpus, tmp_path / "fresh", STREAMING, torch.device("cpu"), log=lambda *_: None)


@pytest.mark.parametrize("layers", [1, 3])
def test_forward_direction_computes_what_the_bidirectional_model_computes_without_its_backward_half(layers):
    torch.manual_seed(layers)
    bi_cfg = SpeechModelConfig(vocab_size=29, hidden_size=24, num_layers=layers, conv_channels=4, dropout=0.0)
    uni_cfg = replace(bi_cfg, bidirectional=False)
    bi = SpeechLSTM(bi_cfg).eval()
    features, lengths = torch.randn(3, 57, 80), torch.tensor([57, 40, 9])
    uni = SpeechLSTM(uni_cfg).eval()
    uni.load_state_dict(forward_direction(bi.state_dict(), uni_cfg))
    # with its backward cells live, the bidirectional model hears the future: the halves differ
    assert not torch.allclose(bi(features, lengths)[0], uni(features, lengths)[0], atol=1e-3)
    with torch.no_grad():  # a backward cell with zero weights and biases outputs exactly 0 at every frame
        for name, value in bi.lstm.named_parameters():
            if name.endswith("_reverse"):
                value.zero_()
    (expected, n), (got, m) = bi(features, lengths), uni(features, lengths)
    assert torch.equal(n, m)
    for row, length in enumerate(n.tolist()):
        torch.testing.assert_close(got[row, :length], expected[row, :length], atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="unidirectional"):
        forward_direction(bi.state_dict(), bi_cfg)


def test_a_streaming_run_can_start_from_a_bidirectional_models_forward_direction(tiny_speech_run, tiny_speech_corpus,
                                                                                 tmp_path, capsys):
    start = load_speech_model(tiny_speech_run / "model")
    out = tmp_path / "s"
    # one step at a learning rate too small to move anything: the weights are those it started from
    code = main(["train", "speech", "--corpus", str(tiny_speech_corpus), "--out", str(out), "--preset", "tiny",
                 "--streaming", "--init", str(tiny_speech_run / "model"), "--steps", "1", "--lr", "1e-12"])
    assert code == 0, capsys.readouterr().err
    got = load_speech_model(out / "model")
    assert not got.model.config.bidirectional and got.features.normalize == "online"
    assert got.config["provenance"]["init"]["took"] == "forward direction"
    expected = forward_direction(start.model.state_dict(), got.model.config)
    assert expected.keys() == got.model.state_dict().keys()
    for name, value in got.model.state_dict().items():
        torch.testing.assert_close(value, expected[name], atol=1e-6, rtol=0)
    # a model of another size is still refused, and a bidirectional run cannot start from a unidirectional model
    cfg = replace(STREAMING, init=str(tiny_speech_run / "model"), hidden_size=16)
    with pytest.raises(SeqStudioError, match="another architecture"):
        train_speech(tiny_speech_corpus, tmp_path / "u", cfg, torch.device("cpu"), log=lambda *_: None)
    cfg = replace(PRESETS["tiny"], steps=1, init=str(out / "model"))
    with pytest.raises(SeqStudioError, match="is unidirectional"):
        train_speech(tiny_speech_corpus, tmp_path / "v", cfg, torch.device("cpu"), log=lambda *_: None)


def test_a_streaming_run_from_a_bidirectional_model_resumes_where_it_stopped(tiny_speech_run, tiny_speech_corpus,
                                                                            tmp_path):
    cfg = replace(STREAMING, init=str(tiny_speech_run / "model"), lr=1e-3)
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    train_speech(tiny_speech_corpus, whole, cfg, torch.device("cpu"), log=lambda *_: None)
    with pytest.raises(Cancelled):
        train_speech(tiny_speech_corpus, parts, cfg, torch.device("cpu"), progress=_StopAt(4), log=lambda *_: None)
    train_speech(tiny_speech_corpus, parts, cfg, torch.device("cpu"), log=lambda *_: None)
    expected, got = load_speech_model(whole / "model"), load_speech_model(parts / "model")
    assert got.features == expected.features and got.config["provenance"]["init"]["took"] == "forward direction"
    for name, value in expected.model.state_dict().items():
        torch.testing.assert_close(got.model.state_dict()[name], value, atol=0, rtol=0)
    with pytest.raises(ValueError, match="unidirectional"):
        replace(STREAMING, bidirectional=True)


# -- live transcription --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loud_bundle(streaming_run):
    """The tiny streaming model with its output layer scaled up, so that its best symbol changes often and
    words and spaces come out: six training steps alone would leave it writing blanks."""
    bundle = load_speech_model(streaming_run / "model")
    with torch.no_grad():
        bundle.model.head.weight.mul_(40.0)
        bundle.model.head.bias.zero_()
    return bundle


@pytest.fixture(scope="module")
def recording(tiny_speech_corpus, tmp_path_factory):
    """Four of the corpus' real utterances one after another: 10-20 s of speech, in one file."""
    rows = read_manifest(tiny_speech_corpus / "valid.jsonl")[:4]
    audio = np.concatenate([load_audio(row.audio, 16000) for row in rows])
    path = tmp_path_factory.mktemp("stream") / "speech.wav"
    sf.write(path, audio, 16000, subtype="FLOAT")
    return path, audio


def _assert_same_words(got, expected) -> None:
    assert [w.text for w in got] == [w.text for w in expected]
    times = [t for w in got for t in (w.start, w.end)]
    assert times == pytest.approx([t for w in expected for t in (w.start, w.end)], abs=1e-9)
    assert [w.confidence for w in got] == pytest.approx([w.confidence for w in expected], abs=1e-4)


@pytest.mark.parametrize("piece_s", [0.01, 0.1, 0.75])
def test_live_words_are_the_words_of_the_whole_file(loud_bundle, recording, piece_s):
    path, audio = recording
    expected = Transcriber(loud_bundle, torch.device("cpu")).transcribe(path)
    assert len(expected.words) >= 5
    live = StreamingRecognizer(loud_bundle)
    step = int(piece_s * 16000)
    early = []
    for start in range(0, len(audio), step):
        update = live.accept(audio[start:start + step])
        early += update.words
        assert update.time_s <= (start + step) / 16000 + 1e-9  # it never reports audio it has not heard
    final = live.finish()
    assert early and list(early) + list(final.words) == live.words  # most words were final before the end
    _assert_same_words(live.words, expected.words)
    with pytest.raises(SeqStudioError, match="has finished"):
        live.accept(audio[:100])
    live.reset()
    live.accept(audio[:16000])
    assert live.finish().words[0].start < 1.0  # a new stream starts at 0 again


def test_a_traced_stream_shows_the_lstm_of_the_whole_run(loud_bundle, recording):
    """With trace=True the updates carry the LSTM's gates and cells piece by piece: together they are the trace of
    the model run over the whole recording (what "Look inside the LSTM" replays), and the words do not change."""
    from seqstudio.nn.inspect import trace_subsampled_model

    _, audio = recording
    plain, traced = StreamingRecognizer(loud_bundle), StreamingRecognizer(loud_bundle, trace=True)
    pieces = []
    for start in range(0, len(audio), 1600):
        assert plain.accept(audio[start:start + 1600]).inside is None
        update = traced.accept(audio[start:start + 1600])
        pieces += [update.inside] if update.inside is not None else []
    plain.finish()
    last = traced.finish()
    pieces += [last.inside] if last.inside is not None else []
    assert len(pieces) > 10 and [w.text for w in traced.words] == [w.text for w in plain.words]
    with torch.no_grad():
        features, _ = LogMel(loud_bundle.features)(torch.from_numpy(audio)[None])
    whole = trace_subsampled_model(loud_bundle.model, features[0], loud_bundle.frame_shift_s)
    np.testing.assert_allclose(np.concatenate([p.times for p in pieces]), whole.times, atol=1e-9)
    for layer, lt in enumerate(whole.layers):
        for name in ("forget", "cell"):
            joined = np.concatenate([p.layers[layer].get(name) for p in pieces], axis=1)
            np.testing.assert_allclose(joined, lt.get(name), rtol=1e-4, atol=1e-4)


def test_a_stream_at_another_rate_is_resampled_as_it_arrives(loud_bundle, recording, tmp_path):
    _, audio = recording
    at_44k = soxr.resample(audio, 16000, 44100, quality="HQ").astype(np.float32)
    path = tmp_path / "44k.wav"
    sf.write(path, at_44k, 44100, subtype="FLOAT")
    expected = Transcriber(loud_bundle, torch.device("cpu")).transcribe(path)
    live = StreamingRecognizer(loud_bundle, sample_rate=44100)
    for piece in _pieces(len(at_44k), 3, 3000):
        live.accept(at_44k[piece])
    live.finish()
    _assert_same_words(live.words, expected.words)


def test_only_a_streaming_model_streams(tiny_speech_run):
    with pytest.raises(SeqStudioError, match="cannot stream.*--streaming"):
        StreamingRecognizer(load_speech_model(tiny_speech_run / "model"))
    with pytest.raises(SeqStudioError, match="cannot stream"):
        StreamingRecognizer.load(tiny_speech_run / "model", device="cpu")


def test_silence_is_not_kept(streaming_run):
    """Minutes of nothing but blanks leave the decoder holding no more than the current run's frames."""
    bundle = load_speech_model(streaming_run / "model")
    with torch.no_grad():
        bundle.model.head.weight.zero_()
        bundle.model.head.bias.zero_()
        bundle.model.head.bias[bundle.vocab.blank] = 10.0
    live = StreamingRecognizer(bundle)
    quiet = (0.001 * np.random.default_rng(0).standard_normal(16000)).astype(np.float32)
    for _ in range(120):
        update = live.accept(quiet)
    assert update.words == () and update.partial == "" and 119.9 < update.time_s <= 120.0
    assert len(live._ids) == 0  # not 120 s of blanks
    assert live.finish().words == () and live.words == []


# -- seqstudio listen ----------------------------------------------------------------------------


def _listen(monkeypatch, capsys, data: bytes, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    threads = torch.get_num_threads()
    try:
        code = main(["listen", *args])
    finally:
        torch.set_num_threads(threads)  # listen sets one thread for the process; the other tests keep theirs
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_listen_prints_the_words_of_raw_audio_on_stdin(loud_bundle, recording, tmp_path, monkeypatch, capsys):
    _, audio = recording
    folder = tmp_path / "loud"
    save_speech_model(folder, loud_bundle.model, loud_bundle.features, loud_bundle.vocab, provenance={})
    pcm16 = np.clip(np.round(audio * 32768), -32768, 32767).astype("<i2")
    expected = StreamingRecognizer(load_speech_model(folder))
    expected.accept(pcm16.astype(np.float32) / 32768)
    expected.finish()
    as_int16 = StreamingRecognizer(load_speech_model(folder))  # PCM straight from a sound card is read as such
    as_int16.accept(pcm16[:50000])
    as_int16.accept(pcm16[50000:])
    as_int16.finish()
    assert [w.text for w in as_int16.words] == [w.text for w in expected.words]
    as_int16.reset()
    with pytest.raises(ValueError, match="one channel"):
        as_int16.accept(np.zeros((100, 2), np.float32))
    with pytest.raises(ValueError, match="int8, int16 or int32"):
        as_int16.accept(np.array([120, -300, 5000]))  # a list of ints is int64: no PCM format, refused
    assert len(expected.words) >= 5

    code, out, err = _listen(monkeypatch, capsys, pcm16.tobytes(), "--model", str(folder), "--times")
    assert code == 0 and err == ""
    rows = [line.split() for line in out.splitlines()]
    assert [r[2] for r in rows] == [w.text for w in expected.words]
    assert [float(r[0]) for r in rows] == pytest.approx([w.start for w in expected.words], abs=0.006)

    code, out, err = _listen(monkeypatch, capsys, pcm16.tobytes() + b"\x01", "--model", str(folder))
    assert code == 0 and out.split() == [w.text for w in expected.words]
    pauses = sum(b.start - a.end >= 1.0 for a, b in zip(expected.words[:-1], expected.words[1:], strict=True))
    assert len(out.splitlines()) == 1 + pauses  # a line per stretch of speech, for line-by-line readers
    assert "1 stray byte" in err and len(err.splitlines()) == 1

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    code, _, _ = _listen(monkeypatch, capsys, pcm16.tobytes(), "--model", str(folder), "--partial", "--piece-ms", "50")
    shown = terminal.getvalue()
    assert code == 0 and "\033[2m" in shown  # partial text was shown, dimmed, before its words were final
    rows = [row.rsplit("\r\033[K", 1)[-1] for row in shown.split("\n")]  # what each line ended as
    assert " ".join(rows).split() == [w.text for w in expected.words]
    monkeypatch.undo()
    code, _, err = _listen(monkeypatch, capsys, pcm16.tobytes(), "--model", str(folder), "--partial")
    assert code == 2 and "needs standard output to be a terminal" in err  # capsys' stdout is no terminal

    at_8k = soxr.resample(audio, 16000, 8000, quality="HQ").astype("<f4")  # a telephone's rate, as floats
    code, out, _ = _listen(monkeypatch, capsys, at_8k.tobytes(), "--model", str(folder), "--pcm", "f32le",
                           "--rate", "8000")
    assert code == 0 and len(out.split()) >= 3


def test_listen_refuses_what_cannot_stream(tiny_speech_run, monkeypatch, capsys):
    code, out, err = _listen(monkeypatch, capsys, b"\0" * 3200, "--model", str(tiny_speech_run / "model"))
    assert code == 2 and out == "" and "cannot stream" in err and len(err.strip().splitlines()) == 1
    code, _, err = _listen(monkeypatch, capsys, b"", "--model", str(tiny_speech_run / "model"), "--rate", "5")
    assert code == 2 and "--rate" in err
    code, _, err = _listen(monkeypatch, capsys, b"", "--model", str(tiny_speech_run / "model"), "--threads", "100000")
    assert code == 2 and "--threads must be from 1 to" in err and len(err.strip().splitlines()) == 1
    monkeypatch.setattr(sys, "stdin", None)  # started with stdin closed (`<&-`)
    assert main(["listen", "--model", str(tiny_speech_run / "model")]) == 2
    assert "standard input" in capsys.readouterr().err
