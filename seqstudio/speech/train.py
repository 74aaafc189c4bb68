"""Training the speech model with CTC: presets, resume, validation CER/WER, clipping, AMP on GPU, seeded.

Input is a folder with ``train.jsonl`` and ``valid.jsonl`` manifests (``seqstudio data speech`` makes
one; the importers make them from LibriSpeech, Common Voice, LJSpeech). A ``test.jsonl`` beside them is
scored once at the end for the model card; nothing in training looks at it. More training data can be
mixed in from other folders (``extra_train``: their ``train.jsonl`` only - synthetic speech beside
imported recordings, say); validation and test stay the main folder's.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch
import torch.nn.functional as F

from seqstudio.core.builds import read_object
from seqstudio.core.checkpoint import load_checkpoint
from seqstudio.core.device import describe
from seqstudio.core.errors import SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.core.trainloop import Run, init_record, open_run, train_loop
from seqstudio.speech.audio import load_audio
from seqstudio.speech.bundle import load_speech_model, save_speech_model
from seqstudio.speech.dataset import BatchSchedule, Example, collate, make_batches, prepare
from seqstudio.speech.decode import cer, greedy_decode, wer
from seqstudio.speech.features import FeatureConfig, LogMel, SpecAugment, SpecAugmentConfig
from seqstudio.speech.manifest import read_manifest
from seqstudio.speech.model import SpeechLSTM, SpeechModelConfig, forward_direction
from seqstudio.speech.text import CharVocab


@dataclass(frozen=True)
class SpeechTrainConfig:
    hidden_size: int = 256
    num_layers: int = 3
    conv_channels: int = 32
    subsampling: int = 4
    bidirectional: bool = True
    dropout: float = 0.15
    batch_seconds: float = 120.0  # padded audio per batch
    max_batch: int = 48
    max_seconds: float = 16.0  # longer training utterances are skipped
    steps: int = 4000  # ~9.5 epochs of the default 12.5 h corpus; ~1.5 h on one core of this CPU
    lr: float = 1.5e-3
    warmup: int = 200
    min_lr_ratio: float = 0.05
    weight_decay: float = 1e-2
    grad_clip: float = 5.0
    spec_augment: bool = True
    eval_every: int = 250
    eval_utterances: int = 200  # validation utterances for the periodic check (the final check uses all)
    checkpoint_every: int = 100
    seed: int = 1234
    amp: bool = True  # bfloat16 autocast on CUDA; ignored on the CPU
    features: dict = field(default_factory=lambda: FeatureConfig().to_dict())
    init: str = ""  # fine-tuning: a model folder whose weights (and architecture, features) the run starts from
    streaming: bool = False  # a unidirectional model over online-normalised features (the prior measured at start)

    def __post_init__(self) -> None:
        # One spelling of the features, so that configs written by older versions (normalize: true) compare equal.
        object.__setattr__(self, "features", FeatureConfig.from_dict(self.features).to_dict())
        if self.streaming and self.bidirectional:
            raise ValueError("a streaming model must be unidirectional")

    def model_config(self, vocab_size: int) -> SpeechModelConfig:
        return SpeechModelConfig(vocab_size=vocab_size, n_mels=FeatureConfig.from_dict(self.features).n_mels,
                                 conv_channels=self.conv_channels, subsampling=self.subsampling,
                                 hidden_size=self.hidden_size, num_layers=self.num_layers,
                                 bidirectional=self.bidirectional, dropout=self.dropout)


PRESETS: dict[str, SpeechTrainConfig] = {
    # seconds; for tests and smoke runs
    "tiny": SpeechTrainConfig(hidden_size=32, num_layers=1, conv_channels=4, batch_seconds=20.0, steps=20,
                              warmup=2, eval_every=10, eval_utterances=8, checkpoint_every=5, dropout=0.0),
    # the shipped default: a 3x256 BiLSTM, sized for a couple of hours of 2 CPU cores
    "cpu": SpeechTrainConfig(),
    # a 4x320 BiLSTM (9.9M parameters) for a GPU; resume it over several runs
    "gpu": SpeechTrainConfig(hidden_size=320, num_layers=4, dropout=0.2, batch_seconds=1200.0, max_batch=256,
                             steps=30000, lr=1e-3, warmup=1000, eval_every=1000, eval_utterances=400,
                             checkpoint_every=500),
}


def with_init(cfg: SpeechTrainConfig, model_dir: str | Path) -> SpeechTrainConfig:
    """``cfg`` set to fine-tune the model in ``model_dir``: its architecture and features replace the preset's."""
    bundle = load_speech_model(model_dir)
    arch = bundle.model.config
    return replace(cfg, conv_channels=arch.conv_channels, subsampling=arch.subsampling, hidden_size=arch.hidden_size,
                   num_layers=arch.num_layers, bidirectional=arch.bidirectional,
                   features=bundle.features.to_dict(), init=str(Path(model_dir).resolve()),
                   streaming=bundle.features.normalize == "online")


def _load_init(cfg: SpeechTrainConfig, model: SpeechLSTM, vocab: CharVocab) -> dict:
    """Copy the weights of ``cfg.init`` into ``model``; what the provenance says about where they came from."""
    bundle = load_speech_model(cfg.init)
    if bundle.vocab.chars != vocab.chars:
        raise SeqStudioError(f"{cfg.init} writes other characters than this trainer's alphabet")
    # A streaming run may start from a bidirectional model: it takes the forward direction, and the features
    # change only in how they are normalised (the run's own normalisation, online for a streaming run).
    halve = bundle.model.config.bidirectional and not model.config.bidirectional
    if model.config.bidirectional and not bundle.model.config.bidirectional:
        raise SeqStudioError(f"{cfg.init} is unidirectional: a bidirectional run cannot start from it")
    arch = replace(bundle.model.config, dropout=model.config.dropout, bidirectional=model.config.bidirectional)
    features = FeatureConfig.from_dict(cfg.features)
    theirs = replace(bundle.features, normalize=features.normalize, norm_window=features.norm_window,
                     prior_frames=features.prior_frames, prior_mean=features.prior_mean,
                     prior_std=features.prior_std) if halve else bundle.features
    if arch != model.config or theirs.to_dict() != cfg.features:
        raise SeqStudioError(f"{cfg.init} has another architecture or other features than this run is set up for")
    state = bundle.model.state_dict()
    model.load_state_dict(forward_direction(state, model.config) if halve else state)
    return {**init_record(cfg.init, bundle.config), **({"took": "forward direction"} if halve else {})}


@dataclass
class SpeechScore:
    cer: float
    wer: float
    utterances: int
    audio_s: float
    compute_s: float


@torch.no_grad()
def score_examples(model: SpeechLSTM, frontend: LogMel, vocab: CharVocab, examples: list[Example],
                   device: torch.device, batch_seconds: float = 120.0, progress: Progress | None = None) -> SpeechScore:
    """Greedy CER/WER over ``examples`` (corpus-level), batched by duration."""
    was_training = model.training
    model.eval()
    refs: list[str] = []
    hyps: list[str] = []
    start = time.perf_counter()
    batches = make_batches(examples, batch_seconds, 64)
    if progress is not None:
        progress.start(len(examples), "scoring")
    shift = model.config.frame_shift_s(frontend.config.hop_ms / 1000)
    for batch_indices in batches:
        batch = collate([examples[i] for i in batch_indices], frontend.config.sample_rate)
        feats, frames = frontend(batch.waveforms.to(device), batch.lengths.to(device))
        log_probs, out_lengths = model(feats, frames)
        for hyp, text in zip(greedy_decode(log_probs, vocab, out_lengths, frame_shift_s=shift), batch.texts,
                             strict=True):
            hyps.append(hyp.text)
            refs.append(text)
        if progress is not None:
            progress.update(len(refs))
            progress.check()
    model.train(was_training)
    return SpeechScore(cer(refs, hyps), wer(refs, hyps), len(refs), sum(e.duration for e in examples),
                       time.perf_counter() - start)


def _load_split(folder: Path, split: str, vocab: CharVocab, fps: float, max_seconds: float | None,
                log, training: bool = False, name: str | None = None) -> list[Example]:
    path = folder / f"{split}.jsonl"
    if not path.exists():
        raise SeqStudioError(f"{folder} has no {split}.jsonl (build a corpus with `seqstudio data speech`, or import "
                             "one with `seqstudio data import-speech`)")
    examples, dropped = prepare(read_manifest(path), vocab, fps, max_seconds, training)
    if dropped:
        why = "empty, too long, or too many characters for their audio" if training else "empty"
        log(f"{name or split}: skipped {dropped} utterances ({why})")
    return examples


def _extra_training(corpus_dir: Path, corpus_key: str, extra_dirs: list[Path], vocab: CharVocab, fps: float,
                    max_seconds: float, held_out: set[str], log) -> tuple[list[Example], list[str]]:
    """The ``train.jsonl`` examples of the extra folders and their corpus keys: each folder once, none the
    main corpus again, and a warning when one of their sentences is one of ``held_out`` - the main corpus'
    validation and test sentences (imported recordings can share texts; SeqStudio's synthetic corpora split
    sentences by a hash of the text)."""
    seen = {corpus_dir.resolve(): str(corpus_dir)}
    keys = {corpus_key: str(corpus_dir)}
    examples: list[Example] = []
    for folder in extra_dirs:
        key = _corpus_key(folder) if (folder / "train.jsonl").exists() else None
        twin = seen.get(folder.resolve()) or keys.get(key)
        if twin is not None:
            raise SeqStudioError(f"{folder} is given twice (it holds the same training data as {twin})")
        examples += _load_split(folder, "train", vocab, fps, max_seconds, log, training=True,
                                name=f"{folder} train")
        seen[folder.resolve()] = keys[key] = str(folder)
    shared = sum(e.text in held_out for e in examples)
    if shared:
        log(f"warning: {shared} utterances of --extra-train say a sentence of {corpus_dir}'s validation or test "
            "split; its scores will look better than they are")
    return examples, list(keys)[1:]


PRIOR_UTTERANCES = 200


def measure_prior(examples: list[Example], features: FeatureConfig, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-band mean and standard deviation (n_mels,) of raw log-mel over up to 200 training utterances
    drawn with ``seed``: the prior of online normalisation (what a stream's first frames are measured by)."""
    order = torch.randperm(len(examples), generator=torch.Generator().manual_seed(seed))[:PRIOR_UTTERANCES]
    frontend = LogMel(features)  # only its raw log-mel is read
    total = torch.zeros(features.n_mels, dtype=torch.float64)
    squares = torch.zeros_like(total)
    frames = 0
    with torch.no_grad():
        for index in order.tolist():
            audio = torch.from_numpy(load_audio(examples[index].audio, features.sample_rate))
            if audio.numel() < features.fft_size:  # shorter than one window: no frames
                continue
            raw = frontend.raw(audio[None]).double()[0]
            total += raw.sum(dim=0)
            squares += (raw * raw).sum(dim=0)
            frames += raw.shape[0]
    if frames == 0:
        raise SeqStudioError("the training set has no audio to measure the streaming model's feature statistics on")
    mean = total / frames
    return mean, (squares / frames - mean * mean).clamp_min(1e-8).sqrt()


def _streaming_features(cfg: SpeechTrainConfig, examples: list[Example], out_dir: Path, resume: bool, log
                        ) -> SpeechTrainConfig:
    """``cfg`` with online normalisation and its prior, for a streaming run that does not have them yet. A run
    being resumed takes the prior its checkpoint was trained with; a new one measures it."""
    features = FeatureConfig.from_dict(cfg.features)
    if not cfg.streaming or features.normalize == "online":
        return cfg
    checkpoint = Run(out_dir).checkpoint_path
    if resume and checkpoint.exists():
        try:
            saved = FeatureConfig.from_dict(json.loads(load_checkpoint(checkpoint)["train_config"])["features"])
        except (KeyError, TypeError, ValueError):
            saved = None  # not this trainer's checkpoint: open_run says so
        if saved is not None and saved.normalize == "online":
            return replace(cfg, features=features.online(saved.prior_mean, saved.prior_std).to_dict())
    mean, std = measure_prior(examples, features, cfg.seed)
    log(f"streaming: online feature normalisation, its prior measured on {min(PRIOR_UTTERANCES, len(examples))} "
        "training utterances")
    return replace(cfg, features=features.online(mean.tolist(), std.tolist()).to_dict())


def train_speech(corpus_dir: str | Path, out_dir: str | Path, cfg: SpeechTrainConfig, device: torch.device,
                 resume: bool = True, progress: Progress | None = None, log=print,
                 extra_train: Sequence[str | Path] = ()) -> dict:
    """Train (or resume) into ``out_dir``: ``checkpoint.pt``, ``log.jsonl`` and the artifact in ``model/``.

    ``extra_train``: more folders whose ``train.jsonl`` is trained on beside ``corpus_dir``'s (a resumed
    run must be given the same ones, in the same order)."""
    progress = progress or Progress()
    corpus_dir, out_dir = Path(corpus_dir), Path(out_dir)
    extra_dirs = [Path(d) for d in extra_train]
    vocab = CharVocab()
    features = FeatureConfig.from_dict(cfg.features)
    model_cfg = cfg.model_config(len(vocab))
    fps = 1000.0 / features.hop_ms / cfg.subsampling  # output frames per second
    train_examples = _load_split(corpus_dir, "train", vocab, fps, cfg.max_seconds, log, training=True)
    valid_all = _load_split(corpus_dir, "valid", vocab, fps, None, log)
    test_all = (_load_split(corpus_dir, "test", vocab, fps, None, log) if (corpus_dir / "test.jsonl").exists()
                else None)  # scored once at the end, never looked at before
    corpus_key = _corpus_key(corpus_dir)
    held_out = {e.text for e in valid_all + (test_all or [])}
    extra_examples, extra_keys = _extra_training(corpus_dir, corpus_key, extra_dirs, vocab, fps, cfg.max_seconds,
                                                 held_out, log)
    train_examples += extra_examples
    if extra_keys:
        corpus_key = hashlib.sha1(" ".join([corpus_key, *extra_keys]).encode()).hexdigest()[:16]
    schedule = BatchSchedule(make_batches(train_examples, cfg.batch_seconds, cfg.max_batch), cfg.seed)
    cfg = _streaming_features(cfg, train_examples, out_dir, resume, log)
    features = FeatureConfig.from_dict(cfg.features)

    torch.manual_seed(cfg.seed)
    model = SpeechLSTM(model_cfg)
    model.to(device)
    frontend = LogMel(features).to(device)
    augment = SpecAugment(SpecAugmentConfig()).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    corpus_name = " + ".join(str(d) for d in [corpus_dir, *extra_dirs])
    run = open_run(out_dir, cfg, model, opt, resume=resume, corpus_key=corpus_key, corpus_name=corpus_name,
                   what="speech", read_config=lambda saved: SpeechTrainConfig(**saved), log=log)
    if cfg.init and "init" not in run.extra:  # a fresh run starts from those weights; a resumed one has its own
        run.extra["init"] = _load_init(cfg, model, vocab)  # kept in the checkpoint for the provenance
    valid_quick = [valid_all[i] for i in torch.randperm(len(valid_all), generator=torch.Generator().manual_seed(
        cfg.seed))[: cfg.eval_utterances].tolist()]
    use_amp = cfg.amp and device.type == "cuda"
    augment.train(cfg.spec_augment)

    def take_step(step: int):
        batch = collate([train_examples[i] for i in schedule.at(step)], features.sample_rate)
        with torch.no_grad():
            feats, frames = frontend(batch.waveforms.to(device), batch.lengths.to(device))
            feats = augment(feats, frames)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=use_amp):
            log_probs, out_lengths = model(feats, frames)
        loss = F.ctc_loss(log_probs.transpose(0, 1), batch.targets.to(device), out_lengths,
                          batch.target_lengths.to(device), blank=vocab.blank, zero_infinity=True)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        if torch.isfinite(grad_norm):
            opt.step()
        return loss, grad_norm

    def validate():
        quick = score_examples(model, frontend, vocab, valid_quick, device)
        return ({"valid_cer": round(quick.cer, 4), "valid_wer": round(quick.wer, 4)},
                f"valid CER {quick.cer:.3f} WER {quick.wer:.3f}")

    log(f"{len(train_examples)} training utterances in {len(schedule)} batches "
        f"({sum(e.duration for e in train_examples) / 3600:.1f} h); {model.num_parameters():,} parameters")
    train_loop(run, cfg, model, opt, corpus_key=corpus_key, take_step=take_step, validate=validate,
               progress=progress, log=log)

    final = score_examples(model, frontend, vocab, valid_all, device, progress=progress)
    metrics = {"valid_cer": round(final.cer, 4), "valid_wer": round(final.wer, 4), "valid_utterances": final.utterances}
    if test_all is not None:
        test = score_examples(model, frontend, vocab, test_all, device, progress=progress)
        metrics.update(test_cer=round(test.cer, 4), test_wer=round(test.wer, 4), test_utterances=test.utterances)
    provenance = {
        "corpus": _corpus_summary(corpus_dir),
        **({"extra_train": [_corpus_summary(d) for d in extra_dirs]} if extra_dirs else {}),
        "train_config": asdict(cfg),
        **({"init": run.extra["init"]} if "init" in run.extra else {}),
        "steps": cfg.steps,
        "epochs": round(cfg.steps / len(schedule), 2),
        "wall_time_s": round(run.elapsed, 1),
        "device": describe(device),
        "host": {"cpus": torch.get_num_threads(), "machine": platform.machine(), "torch": torch.__version__},
        "parameters": model.num_parameters(),
        "metrics": metrics,
        "history": run.history,
    }
    save_speech_model(out_dir / "model", model.to("cpu"), features, vocab, provenance, overwrite=True)
    log(f"done: greedy CER/WER valid {final.cer:.3f}/{final.wer:.3f}"
        + (f", test {metrics['test_cer']:.3f}/{metrics['test_wer']:.3f}" if "test_cer" in metrics else "")
        + f"; model in {out_dir / 'model'}")
    return provenance


def _corpus_summary(folder: Path) -> dict:
    """The corpus' ``summary.json`` (for the model card), or just its folder when it has none."""
    summary = read_object(folder / "summary.json")
    return {"folder": str(folder)} if summary is None else summary


def _corpus_key(folder: Path) -> str:
    """The corpus' own key when it has one, else a fingerprint of its train manifest."""
    key = _corpus_summary(folder).get("key")
    if key:
        return str(key)
    return hashlib.sha1((folder / "train.jsonl").read_bytes()).hexdigest()[:16]
