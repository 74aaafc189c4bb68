"""The loop every SeqStudio trainer runs: resume rules, the learning-rate schedule, periodic validation,
checkpoints (also on Ctrl-C or Cancel) and the per-step seeding that makes a resumed run equal an
uninterrupted one. A trainer brings only what differs: how one step is taken and how validation scores.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from seqstudio.core.checkpoint import load_checkpoint, save_checkpoint, warmup_cosine_lr
from seqstudio.core.errors import Cancelled, SeqStudioError
from seqstudio.core.progress import Progress


def init_record(source: str, artifact_config: dict) -> dict:
    """What a fine-tuned model's provenance says of the model it started from (``source``, its artifact
    config): its steps and scores, and its whole provenance, so the lineage - data, runs, devices - of a
    model fine-tuned from a fine-tuned model stays readable to its first run."""
    prov = artifact_config.get("provenance", {})
    return {"model": source, "steps": prov.get("steps"), "metrics": prov.get("metrics"), "provenance": prov}


@dataclass
class Run:
    """Where a run stands: the next step, training seconds so far, the validation history, and whatever
    else a trainer carries from step to step (``extra``, saved in the checkpoint, tensors allowed)."""

    out_dir: Path
    step: int = 0
    elapsed: float = 0.0
    history: list[dict] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def checkpoint_path(self) -> Path:
        return self.out_dir / "checkpoint.pt"


def open_run(out_dir: str | Path, cfg, model: torch.nn.Module, opt: torch.optim.Optimizer, *, resume: bool,
             corpus_key: str, corpus_name: str, what: str, read_config: Callable[[dict], Any], log) -> Run:
    """A fresh run in ``out_dir``, or the one there resumed into ``model`` and ``opt``.

    A checkpoint resumes only with the same settings (``cfg`` compared with ``read_config`` of the saved
    one) and the same corpus; a *finished* run may go on with more steps (its schedule stretches: a warm
    restart from where it ended). ``what`` names the kind of checkpoint in errors ("music", "speech")."""
    run = Run(Path(out_dir))
    path = run.checkpoint_path
    if path.exists():
        if not resume:
            raise SeqStudioError(f"{run.out_dir} already holds a training run (resume it, or use another --out)")
        ckpt = load_checkpoint(path)
        try:
            saved = read_config(json.loads(ckpt["train_config"]))
            step = int(ckpt["step"])
        except (KeyError, TypeError, ValueError):
            raise SeqStudioError(f"{path} is not a SeqStudio {what} checkpoint") from None
        same_but_steps = replace(saved, steps=cfg.steps) == cfg
        finished_and_longer = step == saved.steps < cfg.steps
        if not same_but_steps:
            raise SeqStudioError(f"{run.out_dir} was trained with other settings ({_differences(saved, cfg)}); resume "
                                 "with the same preset and options")
        if saved.steps != cfg.steps and not finished_and_longer:
            why = (f"it stopped at step {step} of {saved.steps}: finish it first" if step < saved.steps
                   else f"it has done {step} steps: give more than that to continue it")
            raise SeqStudioError(f"{run.out_dir} cannot change to {cfg.steps} steps ({why})")
        if ckpt.get("corpus_key") != corpus_key:
            raise SeqStudioError(f"{run.out_dir} was trained on another corpus than {corpus_name}")
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])  # moves the optimizer state to the parameters' device
        run.step, run.elapsed = step, float(ckpt["elapsed"])
        run.history = json.loads(ckpt["history"])
        run.extra = dict(ckpt.get("extra", {}))
        if "state" in ckpt:  # music checkpoints written before this loop kept the carried LSTM state at the top
            run.extra.setdefault("state", ckpt["state"])
        log(f"resuming {run.out_dir} at step {run.step}/{cfg.steps}")
    run.out_dir.mkdir(parents=True, exist_ok=True)
    return run


def _differences(saved, cfg) -> str:
    """What differs between a saved and a requested config, as ``name saved -> requested``, briefly."""
    def walk(old: dict, new: dict, prefix: str = "") -> list[str]:
        out = []
        for k in new:
            if isinstance(old.get(k), dict) and isinstance(new[k], dict):  # nested settings (features): name the key
                out += walk(old[k], new[k], f"{prefix}{k}.")
            elif old.get(k) != new[k]:
                a, b = repr(old.get(k)), repr(new[k])
                out.append(f"{prefix}{k} " + (f"{a} -> {b}" if len(a) + len(b) < 80 else "differs"))
        return out

    diffs = walk(asdict(saved), asdict(cfg))
    return "; ".join(diffs[:4]) + (f"; and {len(diffs) - 4} more" if len(diffs) > 4 else "")


def train_loop(run: Run, cfg, model: torch.nn.Module, opt: torch.optim.Optimizer, *, corpus_key: str,
               take_step: Callable[[int], tuple[torch.Tensor, torch.Tensor]],
               validate: Callable[[], tuple[dict, str]], progress: Progress, log) -> None:
    """Steps ``run.step`` .. ``cfg.steps - 1``. ``take_step(step)`` does one optimisation step at the learning
    rate already set and returns (loss, gradient norm); ``validate()`` returns (record fields, log text)."""

    def checkpoint() -> None:
        save_checkpoint(run.checkpoint_path, {
            "model": model.state_dict(), "optimizer": opt.state_dict(), "step": run.step, "elapsed": run.elapsed,
            "train_config": json.dumps(asdict(cfg)), "history": json.dumps(run.history), "corpus_key": corpus_key,
            "extra": run.extra,
        })

    progress.start(cfg.steps, "training")
    progress.update(run.step)
    model.train()
    start = run.step
    with _ctrl_c_between_steps() as interrupted:
        try:
            _steps(run, cfg, model, opt, start, take_step, validate, progress, log, checkpoint, interrupted)
        except (Cancelled, KeyboardInterrupt):
            if run.step > start:
                checkpoint()  # an interrupted run resumes where it stopped, not at its last periodic checkpoint
            raise
    progress.finish()


@contextmanager
def _ctrl_c_between_steps():
    """Ctrl-C during a step only raises a flag; the loop stops after the step is whole (weights, optimizer,
    step counter and carried state all agree), so the checkpoint it then writes resumes exactly. Only the
    main thread can own signals; elsewhere (a GUI worker) cancellation goes through ``Progress``."""
    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    previous = signal.getsignal(signal.SIGINT)

    def on_ctrl_c(signum, frame) -> None:
        flag.set()
        print("\nstopping after this step (the checkpoint is written then)…", file=sys.stderr, flush=True)

    signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def _steps(run: Run, cfg, model, opt, start, take_step, validate, progress, log, checkpoint, interrupted) -> None:
    """The steps themselves; see :func:`train_loop`. Raises KeyboardInterrupt after the step in which Ctrl-C came."""
    t_last = time.perf_counter()
    running = None
    for step in range(start, cfg.steps):
        torch.manual_seed(cfg.seed * 1_000_003 + step)  # dropout and augmentation depend on the step only
        lr = warmup_cosine_lr(step, cfg)
        for group in opt.param_groups:
            group["lr"] = lr
        loss, grad_norm = take_step(step)
        run.step = step + 1
        value = loss.item()
        running = value if running is None else 0.98 * running + 0.02 * value
        now = time.perf_counter()
        run.elapsed += now - t_last
        t_last = now
        progress.update(run.step, f"loss {running:.3f}")
        if run.step % cfg.eval_every == 0 or run.step == cfg.steps:
            fields, text = validate()
            model.train()
            record = {"step": run.step, "train_loss": round(running, 4), **fields,
                      "grad_norm": round(float(grad_norm), 3), "lr": lr, "elapsed_s": round(run.elapsed, 1)}
            run.history.append(record)
            with open(run.out_dir / "log.jsonl", "a") as fh:
                fh.write(json.dumps(record) + "\n")
            log(f"step {run.step}: train {running:.3f}  {text}  ({run.elapsed / 60:.1f} min)")
            t_last = time.perf_counter()
        if run.step % cfg.checkpoint_every == 0 or run.step == cfg.steps:
            checkpoint()
        if interrupted.is_set():
            raise KeyboardInterrupt
        progress.check()
