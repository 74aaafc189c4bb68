"""`seqstudio train speech`: a tiny real run learns, saves a loadable model, resumes exactly, refuses misuse."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch

from seqstudio.cli.main import main
from seqstudio.core.errors import Cancelled, SeqStudioError
from seqstudio.core.progress import Progress
from seqstudio.speech.bundle import load_speech_model
from seqstudio.speech.dataset import BatchSchedule, make_batches, prepare
from seqstudio.speech.manifest import read_manifest
from seqstudio.speech.presets import PRESET_NAMES
from seqstudio.speech.text import CharVocab
from seqstudio.speech.train import PRESETS, train_speech

TINY = replace(PRESETS["tiny"], steps=6, eval_every=3, checkpoint_every=3)


def test_preset_names_match_the_table():
    assert tuple(PRESETS) == PRESET_NAMES


def test_run_saves_a_model_with_its_provenance(tiny_speech_run):
    bundle = load_speech_model(tiny_speech_run / "model")
    prov = bundle.config["provenance"]
    assert prov["steps"] == 6 and prov["parameters"] == bundle.model.num_parameters()
    for key in ("valid_cer", "valid_wer", "test_cer", "test_wer"):
        assert 0.0 <= prov["metrics"][key] <= 5.0
    assert prov["corpus"]["splits"]["train"]["utterances"] == 24
    assert [h["step"] for h in prov["history"]] == [3, 6]
    log = [json.loads(line) for line in (tiny_speech_run / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [3, 6]


def _ctc(model, corpus):
    import torch.nn.functional as F

    from seqstudio.speech.dataset import collate
    from seqstudio.speech.features import LogMel

    examples, _ = prepare(read_manifest(corpus / "train.jsonl"), CharVocab(), 25.0)
    batch = collate(examples[:8], 16000)
    model.eval()
    with torch.no_grad():
        feats, frames = LogMel()(batch.waveforms, batch.lengths)
        log_probs, out_lengths = model(feats, frames)
        return F.ctc_loss(log_probs.transpose(0, 1), batch.targets, out_lengths, batch.target_lengths).item()


def test_training_lowers_the_ctc_loss(tiny_speech_corpus, tmp_path):
    from seqstudio.speech.model import SpeechLSTM

    cfg = replace(PRESETS["tiny"], steps=30, eval_every=30, checkpoint_every=30, lr=3e-3, spec_augment=False)
    train_speech(tiny_speech_corpus, tmp_path / "r", cfg, torch.device("cpu"), log=lambda *_: None)
    torch.manual_seed(cfg.seed)  # the initial weights train_speech starts from
    before = _ctc(SpeechLSTM(cfg.model_config(len(CharVocab()))), tiny_speech_corpus)
    after = _ctc(load_speech_model(tmp_path / "r" / "model").model, tiny_speech_corpus)
    assert after < 0.8 * before  # measured: 4.2 -> 3.0 nats per character


def _weights(folder):
    return load_speech_model(folder).model.state_dict()


class _StopAt(Progress):
    def __init__(self, step):
        super().__init__()
        self.step = step

    def update(self, done, info=""):
        if done >= self.step:
            self.cancel()


def test_interrupted_run_resumes_to_the_same_weights(tiny_speech_corpus, tiny_speech_run, tmp_path):
    run = tmp_path / "r"
    with pytest.raises(Cancelled):
        train_speech(tiny_speech_corpus, run, TINY, torch.device("cpu"), progress=_StopAt(4), log=lambda *_: None)
    assert not (run / "model").exists()
    with pytest.raises(SeqStudioError, match="stopped at step 4 of 6"):  # more steps would bend its schedule
        train_speech(tiny_speech_corpus, run, replace(TINY, steps=9), torch.device("cpu"), log=lambda *_: None)
    train_speech(tiny_speech_corpus, run, TINY, torch.device("cpu"), log=lambda *_: None)
    expected, got = _weights(tiny_speech_run / "model"), _weights(run / "model")
    assert all(torch.equal(expected[k], got[k]) for k in expected)

    # a finished run goes on with more steps (and refuses fewer)
    with pytest.raises(SeqStudioError, match="cannot change to 5 steps"):
        train_speech(tiny_speech_corpus, run, replace(TINY, steps=5), torch.device("cpu"), log=lambda *_: None)
    longer = train_speech(tiny_speech_corpus, run, replace(TINY, steps=9), torch.device("cpu"), log=lambda *_: None)
    assert longer["steps"] == 9 and [h["step"] for h in longer["history"]] == [3, 6, 9]
    assert not torch.equal(_weights(run / "model")["head.weight"], expected["head.weight"])


def test_resume_refuses_other_settings_and_other_corpora(tiny_speech_corpus, tiny_speech_run, tmp_path):
    with pytest.raises(SeqStudioError, match="other settings"):
        train_speech(tiny_speech_corpus, tiny_speech_run, replace(TINY, lr=1.0), torch.device("cpu"))
    with pytest.raises(SeqStudioError, match="already holds"):
        train_speech(tiny_speech_corpus, tiny_speech_run, TINY, torch.device("cpu"), resume=False)
    with pytest.raises(SeqStudioError, match="no train.jsonl"):
        train_speech(tmp_path, tmp_path / "x", TINY, torch.device("cpu"))


def test_batches_respect_the_audio_budget_and_cover_every_utterance(tiny_speech_corpus):
    examples, _ = prepare(read_manifest(tiny_speech_corpus / "train.jsonl"), CharVocab(), 25.0)
    batches = make_batches(examples, 10.0, 4)
    assert sorted(i for b in batches for i in b) == list(range(len(examples)))
    for b in batches:
        assert len(b) <= 4
        assert len(b) == 1 or max(examples[i].duration for i in b) * len(b) <= 10.0
    schedule = BatchSchedule(batches, seed=3)
    epoch = [tuple(schedule.at(s)) for s in range(len(batches))]
    assert sorted(epoch) == sorted(tuple(b) for b in batches)
    assert [tuple(BatchSchedule(batches, seed=3).at(s)) for s in range(len(batches))] == epoch


def test_prepare_drops_what_ctc_cannot_learn(tmp_path):
    from seqstudio.speech.manifest import Utterance

    rows = [Utterance(tmp_path / "a.wav", "Hello, world!", 2.0), Utterance(tmp_path / "b.wav", "   ", 2.0),
            Utterance(tmp_path / "c.wav", "far too many characters for one second", 1.0)]
    examples, dropped = prepare(rows, CharVocab(), 25.0)
    assert [e.text for e in examples] == ["hello world"] and dropped == 2
    scored, dropped = prepare(rows, CharVocab(), 25.0, training=False)  # scoring counts what it cannot spell
    assert len(scored) == 2 and dropped == 1


def test_cli_errors_are_one_line(tmp_path, capsys):
    assert main(["train", "speech", "--corpus", str(tmp_path), "--out", str(tmp_path / "r"), "--steps", "0"]) == 2
    assert main(["train", "speech", "--corpus", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "--steps" in err[0] and "train.jsonl" in err[1]


def test_fine_tuning_starts_from_the_given_model(tiny_speech_corpus, tiny_speech_run, tmp_path, capsys):
    start = tiny_speech_run / "model"
    # the cpu preset is a 3x256 BiLSTM, but --init brings the tiny model's own architecture and features
    argv = ["train", "speech", "--corpus", str(tiny_speech_corpus), "--out", str(tmp_path / "ft"), "--preset", "cpu",
            "--init", str(start), "--steps", "1", "--lr", "1e-12", "--device", "cpu"]
    assert main(argv) == 0, capsys.readouterr().err
    tuned = load_speech_model(tmp_path / "ft" / "model")
    prov = tuned.config["provenance"]
    assert prov["init"]["model"] == str(start.resolve()) and prov["init"]["steps"] == 6
    assert prov["init"]["provenance"] == load_speech_model(start).config["provenance"]  # the whole lineage
    assert prov["train_config"]["hidden_size"] == PRESETS["tiny"].hidden_size
    for name, before in _weights(start).items():  # one step at a vanishing learning rate: the same weights
        assert torch.allclose(tuned.model.state_dict()[name], before, atol=1e-6), name

    capsys.readouterr()
    argv = ["train", "speech", "--corpus", str(tiny_speech_corpus), "--out", str(tmp_path / "bad"), "--init",
            str(tmp_path)]
    assert main(argv) == 2
    assert main(argv[:-2] + ["--init", str(start), "--lr", "-1"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "not a SeqStudio model" in err[0] and "--lr" in err[1], err
    assert not (tmp_path / "bad").exists()


def test_extra_train_folders_are_trained_on_and_bind_the_run(tiny_speech_corpus, tmp_path, capsys):
    from seqstudio.speech.manifest import write_manifest

    base = read_manifest(tiny_speech_corpus / "train.jsonl")
    (tmp_path / "extra").mkdir()
    write_manifest(tmp_path / "extra" / "train.jsonl", base[:5])  # audio outside the folder: absolute paths
    logs: list[str] = []
    cfg = replace(PRESETS["tiny"], steps=2)  # as the CLI below makes it
    prov = train_speech(tiny_speech_corpus, tmp_path / "r", cfg, torch.device("cpu"), log=logs.append,
                        extra_train=[tmp_path / "extra"])
    alone = [line for line in logs if "training utterances" in line][0]
    assert alone.startswith(f"{len(prepare(base, CharVocab(), 25.0, 16.0, True)[0]) + 5} training utterances")
    assert prov["extra_train"] == [{"folder": str(tmp_path / "extra")}]
    assert prov["corpus"]["splits"]["train"]["utterances"] == 24  # validation and test stay the main corpus'
    argv = ["train", "speech", "--corpus", str(tiny_speech_corpus), "--out", str(tmp_path / "r"), "--preset", "tiny",
            "--steps", "2", "--device", "cpu"]
    capsys.readouterr()
    assert main(argv) == 2  # the same run without its extra folder is another corpus
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "another corpus" in err[0], err
    assert main(argv + ["--extra-train", str(tmp_path / "nowhere")]) == 2
    assert main(argv + ["--extra-train", str(tmp_path / "extra"), "--extra-train", str(tmp_path / "extra")]) == 2
    assert main(argv + ["--extra-train", str(tiny_speech_corpus)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and "no train.jsonl" in err[0] and "given twice" in err[1] and "given twice" in err[2], err


def test_extra_train_sentences_of_the_held_out_splits_are_warned_about(tiny_speech_corpus, tmp_path):
    from seqstudio.speech.manifest import write_manifest

    (tmp_path / "leak").mkdir()
    write_manifest(tmp_path / "leak" / "train.jsonl", read_manifest(tiny_speech_corpus / "valid.jsonl")[:2])
    logs: list[str] = []
    train_speech(tiny_speech_corpus, tmp_path / "r", replace(PRESETS["tiny"], steps=1), torch.device("cpu"),
                 log=logs.append, extra_train=[tmp_path / "leak"])
    assert any(line.startswith("warning: 2 utterances of --extra-train") for line in logs), logs


def test_extra_folders_without_a_key_are_told_apart_by_their_manifests(tiny_speech_corpus, tmp_path):
    from seqstudio.speech.manifest import write_manifest
    from seqstudio.speech.train import _corpus_key

    base = read_manifest(tiny_speech_corpus / "train.jsonl")
    for name, rows, summary in (("a", base[:3], "{}"), ("b", base[3:6], "[1, 2]"), ("c", base[6:9], "not json")):
        (tmp_path / name).mkdir()
        write_manifest(tmp_path / name / "train.jsonl", rows)
        (tmp_path / name / "summary.json").write_text(summary)
    keys = {_corpus_key(tmp_path / name) for name in "abc"}
    assert len(keys) == 3 and "" not in keys
    logs: list[str] = []
    train_speech(tiny_speech_corpus, tmp_path / "r", replace(PRESETS["tiny"], steps=1), torch.device("cpu"),
                 log=logs.append, extra_train=[tmp_path / name for name in "abc"])
    assert any(line.startswith(f"{len(prepare(base, CharVocab(), 25.0, 16.0, True)[0]) + 9} training utterances")
               for line in logs), logs
