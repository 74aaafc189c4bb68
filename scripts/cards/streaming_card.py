"""Write models/speech-streaming/README.md from the model's config.json and the outputs of
scripts/cards/streaming_measure.sh (runs/streaming/): every number on it is measured.

    python scripts/cards/streaming_card.py
"""

import json
from pathlib import Path

from seqstudio.core.atomic import atomic_write_text

root = Path(__file__).resolve().parents[2]  # the repository
folder = root / "models" / "speech-streaming"
runs = root / "runs" / "streaming"
cfg = json.loads((folder / "config.json").read_text())
p = cfg["provenance"]
arch, feats, tc = cfg["architecture"], cfg["features"], p["train_config"]
start = p["init"]


def load(name):
    return json.loads((runs / name).read_text())


def pct(x):
    return f"{100 * x:.1f} %"


def greedy(result):
    return result["results"]["greedy"]


SETS = (("valid", "validation (KED, espeak-ng West Midlands: voices no stage trained on)"),
        ("test", "test (SLT, espeak-ng Scottish: voices no stage trained on)"),
        ("human_unheard", "human clips of voices no model here trained on (`data/human`)"))
rows = []
for key, label in SETS:
    s, d = load(f"streaming_eval_{key}.json"), load(f"default_eval_{key}.json")
    rows.append(f"| {label} | {s['utterances']} | {pct(greedy(s)['wer'])} | {pct(greedy(s)['cer'])} "
                f"| {pct(greedy(d)['wer'])} | {pct(greedy(d)['cer'])} |")
quality = "\n".join(rows)
by_s, by_d = load("streaming_by_source.json"), load("default_by_source.json")
source_rows = "\n".join(
    f"| {name} | {row['utterances']} | {pct(row['greedy']['wer'])} | {pct(row['greedy']['cer'])} "
    f"| {pct(by_d[name]['greedy']['wer'])} | {pct(by_d[name]['greedy']['cer'])} |" for name, row in by_s.items())
listen = (runs / "listen_human.txt").read_text().rstrip()
bench = (runs / "bench_streaming.txt").read_text().rstrip()
history = p["history"]
curve = "\n".join(f"| {h['step']} | {h['lr']:.2e} | {h['train_loss']:.3f} | {pct(h['valid_cer'])} | {pct(h['valid_wer'])} "
                  f"| {h['elapsed_s'] / 60:.0f} |" for h in history)
corpora = [p["corpus"], *p.get("extra_train", [])]
hours = sum(c["splits"]["train"]["hours"] for c in corpora)
utterances = sum(c["splits"]["train"]["utterances"] for c in corpora)
unheard_s, unheard_d = load("streaming_eval_human_unheard.json"), load("default_eval_human_unheard.json")
stored = cfg.get("stored_dtype", "float32")
size_mib = (folder / "model.safetensors").stat().st_size / 2**20
prior_n = len(feats["prior_mean"])
first_leg = 5500  # the steps of the first run; speech_streaming.sh then continued the finished run
lr_at = {h["step"]: h["lr"] for h in history}
continued = "" if p["steps"] == first_leg else (
    f" It first ran {first_leg:,} steps; then the finished run was continued to {p['steps']:,} with a larger `--steps`"
    f" (`speech_streaming.sh` does both): the cosine schedule, now over {p['steps']:,} steps, went back up to"
    f" {lr_at[first_leg + 250] / tc['lr']:.0%} of its peak and decayed again (the jump in the table).")

card = f"""# speech-streaming — the shipped streaming speech model

What `seqstudio listen` and `StreamingRecognizer.load()` use by default: live transcription, word by word, of audio
that is still arriving. The same convolutional front end as [`speech-default`](../speech-default/README.md) (2
stride-2 3×3 convolutions, {arch['conv_channels']} channels: {arch['subsampling']}× subsampling to 40-ms frames) → a
{arch['num_layers']}-layer **unidirectional** LSTM ({arch['hidden_size']} units, dropout {arch['dropout']}) → linear →
CTC over {arch['vocab_size']} symbols. It never looks past the 40-ms block it is in, so what it writes for a stretch of
audio does not change when more audio arrives.
Input: 80-band log-mel (25 ms window, 10 ms hop), normalised **online**: each frame by the mean and variance of the
last {feats['norm_window'] / 100:.0f} s up to it, blended with a prior worth {feats['prior_frames']} frames (the
per-band statistics of 200 training utterances, {prior_n} bands, in `config.json`), so the first second is
normalised sensibly too. **{p['parameters']:,} parameters**, stored as {stored} ({size_mib:.1f} MiB), computed in
float32; the Quality and Speed numbers are measured on the stored file. Greedy decoding only (no language model): a beam
search would rewrite words already shown.

It makes more errors than the bidirectional `speech-default`, which hears each word's future too (table below).
Like it, **it has heard almost only synthetic speech** and is poor on real people: a demonstration of live
recognition and of what 2 CPU cores can train, not a captioner for real use. Train your own on real speech with
`seqstudio train speech --streaming` (see the main README).

## Licence
As for `speech-default` (see `LICENSE.md` here): **CC-BY-SA-3.0**, because it started from speech-default's weights
and trained on the same recordings of Allison Smith (asterisk-core-sounds-en 1.6.1, © 2003–2010 Allison Smith,
funded by Digium, CC-BY-SA-3.0). The code is MIT.

## How it was made
- **Start:** {start['model']}, not the stage-8 model shipped while this one trained: its conv stack, its LSTM's forward direction and the forward half of its output layer
  (`seqstudio train speech --streaming --init BIDIRECTIONAL_MODEL`; `seqstudio/speech/model.py`,
  `forward_direction`). Above the first layer each forward cell had also read the backward direction's output;
  those weights are dropped, and training teaches the model to do without them. A trial of 300 steps on this data
  (one thread each, same seed): from scratch, validation CER 97.9 % (still writing blanks); warm, at the fine-tuning
  default learning rate 3.75e-4, 48.3 %; warm at 1e-3, 43.8 %. So 1e-3.
- **Data:** the training corpora of speech-default's stages 1 to 8 (all of them, `kokoro:mix` included): {utterances:,} utterances, {hours:.1f} hours, in {len(corpora)} corpora (`scripts/cards/speech_corpora.sh`;
  speech-default's card describes each). Validation and test are speech-default's, voices no corpus trains on.
- **Training:** {p['steps']:,} steps ({p['epochs']} epochs) of batches of up to {tc['batch_seconds']:.0f} s of audio
  (at most {tc['max_batch']} utterances of similar length), CTC loss, SpecAugment, AdamW (peak learning rate
  {tc['lr']:g}, {tc['warmup']} warm-up steps, cosine decay to {tc['min_lr_ratio']:.0%}), gradient clipping at
  {tc['grad_clip']}, seed {tc['seed']}. **Wall time {p['wall_time_s'] / 60:.0f} minutes on device `{p['device']}`** — a
  2-core Intel Xeon virtual machine (torch {p['host']['torch']}): one torch thread (`THREADS=1`) for the first 2,294
  steps, while the other core measured speech-default's stages, then two (stopped with Ctrl-C, which writes the
  checkpoint, and resumed with `THREADS=2`, the script's default; a step took about 0.78 s on one thread beside the measurements, 0.45–0.55 s on two alone). No GPU.{continued}

| step | learning rate | train CTC loss (smoothed) | validation CER (200 utterances, greedy) | WER | minutes |
| --- | --- | --- | --- | --- | --- |
{curve}

At the end, on the whole splits: validation CER {pct(p['metrics']['valid_cer'])} (WER
{pct(p['metrics']['valid_wer'])}), test CER {pct(p['metrics']['test_cer'])} (WER {pct(p['metrics']['test_wer'])}),
float32 weights of the run.

## Quality
Greedy decoding, the shipped {stored} file, `seqstudio eval speech … --lm none` (`scripts/cards/streaming_measure.sh`);
the bidirectional default decoded the same way beside it. A stream gives the same words as the model run over the
whole utterance (`tests/speech/test_streaming.py`), so these are the live results.

| set | utterances | streaming WER | CER | speech-default (greedy) WER | CER |
| --- | --- | --- | --- | --- | --- |
{quality}

Per source of the human clips (`data/human/README.md`; Allison Smith's clips are of a voice both models trained on):

| source | clips | streaming WER | CER | speech-default (greedy) WER | CER |
| --- | --- | --- | --- | --- | --- |
{source_rows}

Live, as a user runs it (each clip piped in as 16-bit PCM: `… | seqstudio listen`; the last is Allison Smith's, a
voice both models trained on):

```
{listen}
```

## Speed
`python benchmarks/streaming.py models/speech-streaming` (one thread, 100-ms pieces, `GOMP_SPINCOUNT=1000`):

```
{bench}
```

## Rebuild it
```bash
bash scripts/setup.sh
bash scripts/cards/speech_streaming.sh    # corpora (~1.5 h if none is built), then the training (resumable: rerun it)
bash scripts/cards/streaming_measure.sh   # the numbers above, and this card
# the warm-start trial: the training command of speech_streaming.sh with --steps 300 --threads 1, run three ways
# (no --init and no --lr; --init without --lr; as it is), its last validation row in each run folder's log.jsonl
```
The run is seeded: batches depend only on (seed, step), so the same commands give the same weights on the same CPU
build (floating-point results can differ across CPUs and libraries in the last bits).

## Limits
- Synthetic voices and one real person are all it has heard: {pct(greedy(unheard_s)['cer'])} CER on real voices it
  never heard ({pct(greedy(unheard_d)['cer'])} for the bidirectional default, greedy).
- No future context: a word is out once the space after it is decoded, typically a few hundred milliseconds after
  it ends; no language model.
- English characters only (a–z, apostrophe, space); numbers come out as words.
"""
atomic_write_text(folder / "README.md", card, overwrite=True)
print(f"wrote {folder / 'README.md'}")
