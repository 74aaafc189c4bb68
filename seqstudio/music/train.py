"""Training the music LSTM: presets, resume, validation NLL per event, clipping, AMP on GPU, seeded."""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from seqstudio.core.device import describe
from seqstudio.core.errors import SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.core.trainloop import init_record, open_run, train_loop
from seqstudio.music.bundle import save_music_model
from seqstudio.music.corpus import load_corpus
from seqstudio.music.dataset import StreamSampler, WindowSampler
from seqstudio.music.evaluate import sequence_nll
from seqstudio.music.model import MusicLSTM, MusicModelConfig
from seqstudio.music.tokenizer import PAD, Tokenizer, TokenizerConfig


@dataclass(frozen=True)
class TrainConfig:
    embed_dim: int = 256
    hidden_size: int = 384
    num_layers: int = 3
    dropout: float = 0.1
    batch_size: int = 32
    seq_len: int = 256
    steps: int = 3000
    lr: float = 2e-3
    warmup: int = 100
    min_lr_ratio: float = 0.05
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    transpose: int = 3  # semitones either way, drawn per window (per piece when stateful)
    # truncated backpropagation through time: every batch row continues its own stream of whole pieces and
    # the LSTM state is carried from step to step, so the model learns context longer than one window
    stateful: bool = True
    reset_prob: float = 0.1  # chance per row and step that the carried state starts from zero again
    eval_every: int = 500
    eval_tokens: int = 200_000  # validation tokens used for the periodic check (the final check uses all)
    checkpoint_every: int = 100
    seed: int = 1234
    amp: bool = True  # bfloat16 autocast on CUDA; ignored on the CPU
    init: str = ""  # fine-tuning: a model folder whose weights (and architecture) the run starts from


PRESETS: dict[str, TrainConfig] = {
    # a few seconds; for tests and smoke runs
    "tiny": TrainConfig(embed_dim=32, hidden_size=48, num_layers=2, batch_size=8, seq_len=64, steps=30,
                        eval_every=15, eval_tokens=5_000, checkpoint_every=10, warmup=5),
    # the shipped default: 6,000 steps, about 75 minutes on 2 idle CPU cores
    "cpu": TrainConfig(steps=6000),
    # the reference size of the Performance RNN family; for a GPU
    "gpu": TrainConfig(embed_dim=512, hidden_size=512, num_layers=3, dropout=0.2, batch_size=128, seq_len=512,
                       steps=20000, lr=1e-3, warmup=500, eval_every=1000, eval_tokens=1_000_000,
                       checkpoint_every=500),
}


def _limit_tokens(sequences: list[np.ndarray], budget: int) -> list[np.ndarray]:
    out, used = [], 0
    for s in sequences:
        if used >= budget:
            break
        out.append(s)
        used += len(s)
    return out


def with_init(cfg: TrainConfig, model_dir: str | Path) -> TrainConfig:
    """``cfg`` set to fine-tune the model in ``model_dir``: its architecture replaces the preset's."""
    from seqstudio.music.bundle import load_music_model

    arch = load_music_model(model_dir).model.config
    return replace(cfg, embed_dim=arch.embed_dim, hidden_size=arch.hidden_size, num_layers=arch.num_layers,
                   init=str(Path(model_dir).resolve()))


def _load_init(cfg: TrainConfig, model: MusicLSTM, tokenizer: Tokenizer) -> dict:
    """Copy the weights of ``cfg.init`` into ``model``; what the provenance says about where they came from."""
    from seqstudio.music.bundle import load_music_model

    bundle = load_music_model(cfg.init)
    if bundle.tokenizer.config != tokenizer.config:
        raise SeqStudioError(f"{cfg.init} uses other tokens than the corpus (tokenizer "
                             f"{bundle.tokenizer.config.to_dict()} vs {tokenizer.config.to_dict()})")
    if replace(bundle.model.config, dropout=model.config.dropout) != model.config:
        raise SeqStudioError(f"{cfg.init} is a {bundle.model.config.num_layers}x{bundle.model.config.hidden_size} "
                             f"LSTM; this run is set up for {model.config.num_layers}x{model.config.hidden_size}")
    model.load_state_dict(bundle.model.state_dict())
    return init_record(cfg.init, bundle.config)


def _read_config(saved: dict) -> TrainConfig:
    saved.setdefault("stateful", False)  # runs from before stateful training existed
    return TrainConfig(**saved)


def _start_state(carried: tuple[torch.Tensor, torch.Tensor] | None, cfg: TrainConfig, step: int):
    """The state a stateful step starts from: the last step's, with some rows set back to zero so that the
    model also learns to start from nothing (as it does at the start of every scored or continued piece)."""
    if carried is None:
        return None
    rng = np.random.default_rng([cfg.seed, step, 11])
    keep = torch.from_numpy(rng.random(cfg.batch_size) >= cfg.reset_prob).to(carried[0])
    keep = keep.view(1, -1, 1)
    return carried[0] * keep, carried[1] * keep


def train_music(corpus_dir: str | Path, out_dir: str | Path, cfg: TrainConfig, device: torch.device,
                resume: bool = True, progress: Progress | None = None, log=print) -> dict:
    """Train (or resume) into ``out_dir``: ``checkpoint.pt``, ``log.jsonl`` and the artifact in ``model/``."""
    progress = progress or Progress()
    out_dir = Path(out_dir)
    summary, splits = load_corpus(corpus_dir)
    tokenizer = Tokenizer(TokenizerConfig.from_dict(summary["spec"]["tokenizer"]))
    model_cfg = MusicModelConfig(tokenizer.vocab_size, cfg.embed_dim, cfg.hidden_size, cfg.num_layers, cfg.dropout)

    torch.manual_seed(cfg.seed)
    model = MusicLSTM(model_cfg)
    model.to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    corpus_key = summary.get("spec_key", "")
    run = open_run(out_dir, cfg, model, opt, resume=resume, corpus_key=corpus_key, corpus_name=str(corpus_dir),
                   what="music", read_config=_read_config, log=log)
    if cfg.init and "init" not in run.extra:  # a fresh run starts from those weights; a resumed one has its own
        run.extra["init"] = _load_init(cfg, model, tokenizer)  # kept in the checkpoint for the provenance

    sampler_cls = StreamSampler if cfg.stateful else WindowSampler
    sampler = sampler_cls(splits["train"], tokenizer, cfg.seq_len, cfg.transpose, cfg.seed)
    if "state" in run.extra:  # the LSTM state (h, c) handed from one stateful step to the next
        run.extra["state"] = tuple(t.to(device) for t in run.extra["state"])
    valid_all = splits["valid"].sequences()
    if not valid_all:
        log(f"warning: the validation split of {corpus_dir} is empty (too few pieces: the split is 80/10/10 by piece); "
            "training goes on without validation")
    # the periodic check uses a fixed random sample of pieces, not the first collections in corpus order
    shuffled = [valid_all[i] for i in np.random.default_rng(cfg.seed).permutation(len(valid_all))]
    valid_quick = _limit_tokens(shuffled, cfg.eval_tokens)
    use_amp = cfg.amp and device.type == "cuda"

    def take_step(step: int):
        batch = torch.from_numpy(sampler.batch(step, cfg.batch_size)).to(device)
        state = _start_state(run.extra.get("state"), cfg, step) if cfg.stateful else None
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=use_amp):
            logits, state = model(batch[:, :-1], state)
        loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1),
                               ignore_index=PAD)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()
        if cfg.stateful:
            run.extra["state"] = (state[0].detach().float(), state[1].detach().float())
        return loss, grad_norm

    def validate():
        if not valid_quick:
            return {"valid_nll": None}, "valid NLL/event n/a (no validation pieces)"
        quick = sequence_nll(model, valid_quick, device)
        return {"valid_nll": round(quick.nll, 4)}, f"valid NLL/event {quick.nll:.4f}"

    train_loop(run, cfg, model, opt, corpus_key=corpus_key, take_step=take_step, validate=validate,
               progress=progress, log=log)

    final = sequence_nll(model, valid_all, device, progress=progress)
    # recorded for the model card only; nothing in training looks at the test split
    test = sequence_nll(model, splits["test"].sequences(), device, progress=progress)
    provenance = {
        "corpus": {"spec": summary["spec"], "splits": summary["splits"], "split_rule": summary["split_rule"]},
        "train_config": asdict(cfg),
        **({"init": run.extra["init"]} if "init" in run.extra else {}),
        "steps": cfg.steps,
        "tokens_seen": cfg.steps * cfg.batch_size * cfg.seq_len,
        "wall_time_s": round(run.elapsed, 1),
        "device": describe(device),
        "host": {"cpus": torch.get_num_threads(), "machine": platform.machine(), "torch": torch.__version__},
        "parameters": model.num_parameters(),
        "metrics": {"valid_nll_per_event": _rounded(final), "valid_events": final.events,
                    "test_nll_per_event": _rounded(test), "test_events": test.events},
        "history": run.history,
    }
    save_music_model(out_dir / "model", model.to("cpu"), tokenizer, provenance, overwrite=True)
    log(f"done: NLL/event valid {_shown(final)}, test {_shown(test)}; model in {out_dir / 'model'}")
    return provenance


def _rounded(result) -> float | None:
    """NLL per event for the provenance; None for an empty split (not 0.0, which would read as perfect)."""
    return round(result.nll, 4) if result.events else None


def _shown(result) -> str:
    return f"{result.nll:.4f}" if result.events else "n/a (empty split)"
