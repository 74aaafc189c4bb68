"""Training the music LSTM: presets, resume, validation NLL per event, clipping, AMP on GPU, seeded."""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from seqstudio.core.checkpoint import load_checkpoint, save_checkpoint, warmup_cosine_lr
from seqstudio.core.device import describe
from seqstudio.core.errors import Cancelled, SeqStudioError
from seqstudio.core.progress import Progress
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
    # the shipped default: about an hour on 2 CPU cores
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
    if bundle.model.config != model.config:
        raise SeqStudioError(f"{cfg.init} is a {bundle.model.config.num_layers}x{bundle.model.config.hidden_size} "
                             f"LSTM; this run is set up for {model.config.num_layers}x{model.config.hidden_size}")
    model.load_state_dict(bundle.model.state_dict())
    prov = bundle.config.get("provenance", {})
    return {"model": cfg.init, "steps": prov.get("steps"), "metrics": prov.get("metrics")}


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

    ckpt_path = out_dir / "checkpoint.pt"
    start_step, elapsed, history = 0, 0.0, []
    carried = None  # the LSTM state (h, c) handed from one stateful step to the next
    torch.manual_seed(cfg.seed)
    model = MusicLSTM(model_cfg)
    init = _load_init(cfg, model, tokenizer) if cfg.init else None
    model.to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    corpus_key = summary.get("spec_key", "")
    if ckpt_path.exists():
        if not resume:
            raise SeqStudioError(f"{out_dir} already holds a training run (resume it, or use another --out)")
        ckpt = load_checkpoint(ckpt_path)
        try:
            saved_dict = json.loads(ckpt["train_config"])
            saved_dict.setdefault("stateful", False)  # runs from before stateful training existed
            saved = TrainConfig(**saved_dict)
        except (KeyError, TypeError, ValueError):
            raise SeqStudioError(f"{ckpt_path} is not a SeqStudio music checkpoint") from None
        # the learning-rate schedule and the batches depend on every setting, steps included; only a finished
        # run may go on with more steps (its schedule then stretches: a warm restart from where it ended)
        finished_and_longer = int(ckpt["step"]) == saved.steps < cfg.steps
        if replace(saved, steps=cfg.steps) != cfg or (saved.steps != cfg.steps and not finished_and_longer):
            raise SeqStudioError(f"{out_dir} was trained with other settings; resume with the same preset and options"
                                 + (" (only a finished run can be continued with more --steps)"
                                    if replace(saved, steps=cfg.steps) == cfg else ""))
        if ckpt.get("corpus_key") != corpus_key:
            raise SeqStudioError(f"{out_dir} was trained on another corpus than {corpus_dir}")
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])  # moves the optimizer state to the parameters' device
        start_step, elapsed = int(ckpt["step"]), float(ckpt["elapsed"])
        carried = ckpt.get("state")
        history = json.loads(ckpt["history"])
        log(f"resuming {out_dir} at step {start_step}/{cfg.steps}")
    out_dir.mkdir(parents=True, exist_ok=True)

    sampler_cls = StreamSampler if cfg.stateful else WindowSampler
    sampler = sampler_cls(splits["train"], tokenizer, cfg.seq_len, cfg.transpose, cfg.seed)
    if carried is not None:
        carried = (carried[0].to(device), carried[1].to(device))
    valid_all = splits["valid"].sequences()
    # the periodic check uses a fixed random sample of pieces, not the first collections in corpus order
    shuffled = [valid_all[i] for i in np.random.default_rng(cfg.seed).permutation(len(valid_all))]
    valid_quick = _limit_tokens(shuffled, cfg.eval_tokens)
    use_amp = cfg.amp and device.type == "cuda"

    def checkpoint(step: int) -> None:
        save_checkpoint(ckpt_path, {
            "model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "elapsed": elapsed,
            "train_config": json.dumps(asdict(cfg)), "history": json.dumps(history), "corpus_key": corpus_key,
            **({"state": carried} if carried is not None else {}),
        })

    progress.start(cfg.steps, "training")
    progress.update(start_step)
    model.train()
    t_last = time.perf_counter()
    running = None
    done = start_step
    try:
        for step in range(start_step, cfg.steps):
            torch.manual_seed(cfg.seed * 1_000_003 + step)  # dropout masks depend on the step only
            batch = torch.from_numpy(sampler.batch(step, cfg.batch_size)).to(device)
            for group in opt.param_groups:
                group["lr"] = warmup_cosine_lr(step, cfg)
            state = _start_state(carried, cfg, step) if cfg.stateful else None
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=use_amp):
                logits, state = model(batch[:, :-1], state)
            loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1),
                                   ignore_index=PAD)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            opt.step()
            if cfg.stateful:
                carried = (state[0].detach().float(), state[1].detach().float())
            done = step + 1
            value = loss.item()
            running = value if running is None else 0.98 * running + 0.02 * value
            now = time.perf_counter()
            elapsed += now - t_last
            t_last = now
            progress.update(done, f"loss {running:.3f}")
            if done % cfg.eval_every == 0 or done == cfg.steps:
                quick = sequence_nll(model, valid_quick, device)
                record = {"step": done, "train_loss": round(running, 4), "valid_nll": round(quick.nll, 4),
                          "grad_norm": round(float(grad_norm), 3), "lr": warmup_cosine_lr(step, cfg),
                          "elapsed_s": round(elapsed, 1)}
                history.append(record)
                with open(out_dir / "log.jsonl", "a") as fh:
                    fh.write(json.dumps(record) + "\n")
                log(f"step {done}: train {running:.3f}  valid NLL/event {quick.nll:.4f}  ({elapsed / 60:.1f} min)")
                t_last = time.perf_counter()
            if done % cfg.checkpoint_every == 0 or done == cfg.steps:
                checkpoint(done)
            progress.check()
    except (Cancelled, KeyboardInterrupt):
        if done > start_step:
            checkpoint(done)  # an interrupted run resumes where it stopped, not at its last periodic checkpoint
        raise
    progress.finish()

    final = sequence_nll(model, valid_all, device, progress=progress)
    # recorded for the model card only; nothing in training looks at the test split
    test = sequence_nll(model, splits["test"].sequences(), device, progress=progress)
    provenance = {
        "corpus": {"spec": summary["spec"], "splits": summary["splits"], "split_rule": summary["split_rule"]},
        "train_config": asdict(cfg),
        **({"init": init} if init else {}),
        "steps": cfg.steps,
        "tokens_seen": cfg.steps * cfg.batch_size * cfg.seq_len,
        "wall_time_s": round(elapsed, 1),
        "device": describe(device),
        "host": {"cpus": torch.get_num_threads(), "machine": platform.machine(), "torch": torch.__version__},
        "parameters": model.num_parameters(),
        "metrics": {"valid_nll_per_event": round(final.nll, 4), "valid_events": final.events,
                    "test_nll_per_event": round(test.nll, 4), "test_events": test.events},
        "history": history,
    }
    save_music_model(out_dir / "model", model.to("cpu"), tokenizer, provenance, overwrite=True)
    log(f"done: NLL/event valid {final.nll:.4f}, test {test.nll:.4f}; model in {out_dir / 'model'}")
    return provenance
