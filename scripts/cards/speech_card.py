"""Write models/speech-default/README.md from the model's config.json and the outputs of the commands the card
lists (runs/speech_eval_{valid,test,human}.json, runs/speech_by_voice.txt, runs/bench_transcribe.txt,
runs/transcribe_human.txt): every number on it is measured."""

import json
from pathlib import Path

root = Path(__file__).resolve().parents[2]  # the repository
folder = root / "models/speech-default"
cfg = json.loads((folder / "config.json").read_text())
p, arch, feats = cfg["provenance"], cfg["architecture"], cfg["features"]
tc, corpus, m = p["train_config"], p["corpus"], p["metrics"]
runs = root / "runs"
ev = {name: json.loads((runs / f"speech_eval_{name}.json").read_text()) for name in ("valid", "test", "human")}
by_voice = (runs / "speech_by_voice.txt").read_text().rstrip()
bench = (runs / "bench_transcribe.txt").read_text().rstrip()
gpu_bench = runs / "bench_transcribe_gpu.txt"  # from a device run: `seqstudio bench transcribe --device cuda`
gpu_note = "" if not gpu_bench.exists() else f"""
On one NVIDIA H200 (16 host cores; `seqstudio bench transcribe --device cuda --long-minutes 0`, synthetic audio
there), measured before beam search ran on one process per core: it then ran in the calling process alone, on
one core for all 256 files, and that bounds these rows; the GPU's own speed is still to be measured:

```
{gpu_bench.read_text().rstrip()}
```
"""
sample = (runs / "transcribe_human.txt").read_text().rstrip()
lm_counts = [line.split("=")[1] for line in (folder / "lm.arpa").read_text().split("\n\\1-grams")[0].splitlines()
             if line.startswith("ngram ")]
splits = corpus["splits"]
hist = "\n".join(f"| {h['step']} | {h['train_loss']:.3f} | {100 * h['valid_cer']:.1f} % | {100 * h['valid_wer']:.1f} % | "
                 f"{h['elapsed_s'] / 60:.0f} |" for h in p["history"])


def pct(x):
    return f"{100 * x:.1f} %"


def row(name, label):
    r = ev[name]["results"]
    lm = r.get("lm")
    lm_cells = f"{pct(lm['wer'])} | {pct(lm['cer'])}" if lm else "– | –"
    return (f"| {label} | {ev[name]['utterances']} | {ev[name]['audio_s'] / 60:.1f} min | {pct(r['greedy']['wer'])} | "
            f"{pct(r['greedy']['cer'])} | {lm_cells} |")


aug = corpus["spec"]["augment"]
continued = "" if p["steps"] == 4000 else (
    f"\n.venv/bin/seqstudio train speech --preset cpu --out runs/speech-cpu --threads 2 --steps {p['steps']}"
    "   # continues it")
restart_note = "" if p["steps"] == 4000 else (
    f" The `cpu` preset's 4,000 steps took 69 minutes on one thread; the run was then continued to {p['steps']:,} steps"
    " with `--steps` on two threads of the then idle machine (its cosine schedule restarted at 30 % of the peak"
    " learning rate and decayed again), which is the jump in the table below.")
card = f"""# speech-default — the shipped speech model

A convolutional front end (2 stride-2 3×3 convolutions, {arch['conv_channels']} channels: {arch['subsampling']}×
subsampling to {arch['subsampling'] * feats['hop_ms']:.0f} ms frames) → {arch['num_layers']}-layer bidirectional
LSTM ({arch['hidden_size']} units per direction, dropout {arch['dropout']}) → linear → CTC over {arch['vocab_size']}
symbols (blank, space, apostrophe, a–z). Input: {feats['n_mels']}-band log-mel, {feats['win_ms']:.0f} ms window,
{feats['hop_ms']:.0f} ms hop, per-utterance mean/variance normalisation (all in `config.json`, so the model is never
fed other features). **{p['parameters']:,} parameters**, trained by SeqStudio itself with the `cpu` preset on a CPU.
Weights are stored as {cfg.get('stored_dtype', 'float32')} and computed in float32; every number below is measured on the
stored file.
`lm.arpa` beside it is a word 3-gram (interpolated modified Kneser–Ney, pruned at count 2; {' / '.join(lm_counts)}
1/2/3-grams) built by `seqstudio train lm` from the train-split sentences only. Used by `seqstudio transcribe`,
`Transcriber.load("default")` and the app.

**This model has heard only synthetic speech.** No speech corpus can be downloaded where SeqStudio is built, so it
learned from speech that `seqstudio data speech` synthesises with offline TTS voices — it is a demonstration of the
pipeline and of what 2 CPU cores can train, not a general-purpose recogniser: on real people it is poor (see below).
Train it on real speech with `seqstudio data import-speech` + `seqstudio train speech` (LibriSpeech, Common Voice,
LJSpeech), ideally with the `gpu` preset.

## Data
`seqstudio data speech` (defaults): sentences from `fortunes` and WordNet's usage examples, normalised to spoken
form; each sentence's split is fixed by a hash of its text. Read by {splits['train']['voices'] + splits['valid']['voices'] + splits['test']['voices']} offline voices at random rate and pitch,
split by speaker:

| split | utterances | hours | voices | speakers |
| --- | --- | --- | --- | --- |
| train | {splits['train']['utterances']:,} | {splits['train']['hours']:.2f} | {splits['train']['voices']} | {', '.join(splits['train']['speakers'])} |
| validation | {splits['valid']['utterances']:,} | {splits['valid']['hours']:.2f} | {splits['valid']['voices']} | {', '.join(splits['valid']['speakers'])} |
| test | {splits['test']['utterances']:,} | {splits['test']['hours']:.2f} | {splits['test']['voices']} | {', '.join(splits['test']['speakers'])} |

The held-out speakers are never heard in training: test is SLT (a recorded woman, flite's and festival's voices
made from her) and espeak-ng's Scottish accent in all 34 variants; validation is KED and espeak-ng's West
Midlands accent. Train-split audio is augmented: speed ×{aug['speed_range'][0]}–{aug['speed_range'][1]} (p {aug['p_speed']}),
reverberation RT60 {aug['rt60_range'][0]}–{aug['rt60_range'][1]} s (p {aug['p_reverb']}), telephone band (p {aug['p_telephone']}),
noise at {aug['snr_db_range'][0]:.0f}–{aug['snr_db_range'][1]:.0f} dB SNR (p {aug['p_noise']}), gain {aug['gain_db_range'][0]:.0f}…+{aug['gain_db_range'][1]:.0f} dB (p {aug['p_gain']});
validation and test are clean. Training skips utterances longer than {tc['max_seconds']:.0f} s and those with more characters
than 40 ms frames (very fast espeak-ng readings, ~3 %); scoring counts every utterance.

## Training
{p['steps']} steps ({p['epochs']} epochs) of batches of up to {tc['batch_seconds']:.0f} s of audio (utterances of similar length,
at most {tc['max_batch']}), CTC loss, SpecAugment (2 frequency and 2 time masks), AdamW (learning rate {tc['lr']}, weight decay
{tc['weight_decay']}, {tc['warmup']} warm-up steps, cosine decay to {tc['min_lr_ratio']:.0%}), gradient clipping at {tc['grad_clip']},
seed {tc['seed']}. **Wall time {p['wall_time_s'] / 60:.0f} minutes on device `{p['device']}`** — a 2-core AMD EPYC virtual
machine (torch {p['host']['torch']}; one thread while other work shared the machine). No GPU was
available to this project; the `gpu` preset (4×320, 9.3 M parameters) has not been run.{restart_note}

| step | train CTC loss (smoothed) | validation CER (200 utterances, greedy) | WER | minutes |
| --- | --- | --- | --- | --- |
{hist}

## Quality
Word and character error rates, corpus-level (total edits ÷ total reference words or characters), references
normalised like the training text. *Greedy* is best-path CTC decoding; *LM* is SeqStudio's CTC prefix beam search
(beam 16) with `lm.arpa` — what `seqstudio transcribe` does by default — with LM weight 0.5 and word bonus 1.0,
the defaults in `seqstudio/speech/beam.py`, chosen on the validation split (`python benchmarks/tune_lm.py`; so the
validation LM row is slightly optimistic, the test and human rows are not). The LM trades a little CER for many
fewer word errors: it pulls misheard letters towards real words.

| data | utterances | audio | greedy WER | greedy CER | LM WER | LM CER |
| --- | --- | --- | --- | --- | --- | --- |
{row('valid', 'validation: held-out voices KED + espeak-ng West Midlands')}
{row('test', '**test: held-out voices SLT + espeak-ng Scottish**')}
{row('human', '**real human voices** (`data/human`, 29 clips, 6 sources)')}

Per held-out voice group on the test split (`python benchmarks/speech_by_voice.py`):

```
{by_voice}
```

The human clips (LibriVox, Asterisk's prompts, pocketsphinx's test speakers, KDE and ALSA samples; sources and
licences in `data/human/README.md`) are the only recordings of real people available offline here. Some of them,
as `seqstudio transcribe data/human/FILE.wav --out -` prints them (beam search with the LM):

```
{sample}
```

## Speed
`seqstudio bench transcribe` on the same 2-core machine, idle (real-time factor = compute time ÷ audio time;
decoding, features and model included, decoding as `transcribe` does by default; a one-minute file, a batch of
files, and the peak memory of a 2-hour file in a fresh process). Greedy decoding alone: RTF {ev['test']['results']['greedy']['real_time_factor']:.4f} on the
test split (`seqstudio eval speech`):

```
{bench}
```
{gpu_note}
## Rebuild it
```bash
bash scripts/setup.sh
.venv/bin/seqstudio data speech                                       # ~9 min on 2 cores, resumable and cached
.venv/bin/seqstudio train speech --preset cpu --out runs/speech-cpu --threads 1   # 4000 steps; rerun to resume{continued}
.venv/bin/seqstudio train lm --out runs/lm.arpa                        # ~10 s
.venv/bin/python scripts/ship_model.py runs/speech-cpu/model models/speech-default   # float16 on disk
cp runs/lm.arpa models/speech-default/
.venv/bin/python benchmarks/tune_lm.py                                # LM weight / word bonus on valid
.venv/bin/seqstudio eval speech data/corpus/speech/valid.jsonl --json > runs/speech_eval_valid.json
.venv/bin/seqstudio eval speech data/corpus/speech/test.jsonl --json > runs/speech_eval_test.json
.venv/bin/seqstudio eval speech data/human/manifest.jsonl --json > runs/speech_eval_human.json
.venv/bin/python benchmarks/speech_by_voice.py > runs/speech_by_voice.txt
.venv/bin/seqstudio bench transcribe > runs/bench_transcribe.txt
.venv/bin/python scripts/cards/speech_card.py                         # this card
```
Training is seeded: a batch depends only on (seed, step), and a resumed run ends with the weights an
uninterrupted one would (floating-point results can differ across CPUs and libraries in the last bits).
To continue training this model for longer, run the same `train speech` command with a larger `--steps`.

## Limits
- English only; characters, not words: it spells what it hears, and the LM pulls spellings towards the words
  of its text (fortunes and dictionary examples).
- Synthetic training voices: real microphones, accents, spontaneous speech and overlapping talkers are far from
  what it learned. Expect high error rates on real recordings until it is trained on real speech.
- Bidirectional: it needs a whole chunk (up to 30 s) before it can emit text; the unidirectional variant in the
  same code (`bidirectional=False`) can stream but has not been trained.
"""
(folder / "README.md").write_text(card)
print(card[:300])
