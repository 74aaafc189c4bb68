"""``seqstudio eval speech``: scores that agree with transcribing each file, a known answer (a model that
never speaks scores WER = CER = 1), the LM side by side with greedy, skipped files, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seqstudio.cli.main import main
from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.decode import cer, wer
from seqstudio.speech.evaluate import evaluate_speech
from seqstudio.speech.lm import NgramLM
from seqstudio.speech.text import normalize_text
from seqstudio.speech.transcriber import Transcriber
from tests.speech.test_transcriber import make_model, write_audio

TEXTS = ["Dr. Smith paid $5.", "the cat sat on the mat", "front center"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("eval")
    rows = []
    for i, text in enumerate(TEXTS):
        write_audio(folder / "wav" / f"u{i}.wav", 1.0 + i * 0.5, seed=i)
        rows.append({"audio": f"wav/u{i}.wav", "text": text})
    (folder / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    return make_model(tmp_path_factory.mktemp("eval-model") / "model")


def test_scores_are_those_of_each_file_transcribed(corpus, model_dir):
    transcriber = Transcriber.load(model_dir, "cpu")
    result = evaluate_speech(transcriber, corpus / "test.jsonl")
    refs = [normalize_text(t) for t in TEXTS]
    hyps = [transcriber.transcribe(corpus / "wav" / f"u{i}.wav").text for i in range(len(TEXTS))]
    (greedy,) = result.scores
    assert greedy.name == "greedy" and result.utterances == 3
    assert greedy.wer == pytest.approx(wer(refs, hyps)) and greedy.cer == pytest.approx(cer(refs, hyps))
    assert result.audio_s == pytest.approx(1.0 + 1.5 + 2.0)
    assert 0 < greedy.real_time_factor < 10
    assert result.examples[0]["reference"] == "doctor smith paid five dollars"


def test_a_model_that_never_speaks_scores_one(corpus, tmp_path, capsys):
    silent = make_model(tmp_path / "silent", blank_only=True)
    code = main(["eval", "speech", str(corpus / "test.jsonl"), "--model", str(silent), "--json"])
    out, _ = capsys.readouterr()
    data = json.loads(out)
    assert code == 0 and data["utterances"] == 3 and data["lm"] is None
    assert data["results"]["greedy"]["wer"] == 1.0 and data["results"]["greedy"]["cer"] == 1.0


def test_the_lm_is_found_beside_the_model_and_scored_next_to_greedy(corpus, tmp_path, capsys):
    model = make_model(tmp_path / "with-lm")
    NgramLM.train([normalize_text(t) for t in TEXTS], order=2).write_arpa(model / "lm.arpa")
    code = main(["eval", "speech", str(corpus / "test.jsonl"), "--model", str(model), "--json", "--limit", "2",
                 "--beam", "4"])
    out, _ = capsys.readouterr()
    data = json.loads(out)
    assert code == 0 and data["utterances"] == 2 and data["lm"] == str(model / "lm.arpa")
    assert set(data["results"]) == {"greedy", "lm"}
    transcriber = Transcriber.load(model, "cpu")
    from seqstudio.speech.beam import DecodeOptions

    options = DecodeOptions(beam_size=4, lm=model / "lm.arpa")
    direct = evaluate_speech(transcriber, corpus / "test.jsonl", variants={"lm": options}, limit=2)
    assert data["results"]["lm"]["wer"] == round(direct.scores[0].wer, 4)
    # --lm none: greedy only; the text report names both columns when the LM is on
    assert main(["eval", "speech", str(corpus / "test.jsonl"), "--model", str(model), "--lm", "none", "--json"]) == 0
    assert set(json.loads(capsys.readouterr()[0])["results"]) == {"greedy"}
    assert main(["eval", "speech", str(corpus / "test.jsonl"), "--model", str(model), "--beam", "4"]) == 0
    text = capsys.readouterr()[0]
    assert "WER" in text and "\ngreedy" in text and "\nlm" in text


def test_unreadable_audio_is_skipped_and_bad_manifests_are_one_line(corpus, model_dir, tmp_path, capsys):
    manifest = tmp_path / "m.tsv"
    manifest.write_text(f"{corpus / 'wav' / 'u0.wav'}\tdoctor smith\n{tmp_path / 'gone.wav'}\tnothing here\n")
    result = evaluate_speech(Transcriber.load(model_dir, "cpu"), manifest)
    assert result.utterances == 1 and len(result.skipped) == 1 and "gone.wav" in result.skipped[0]
    (tmp_path / "bad.jsonl").write_text("{not json\n")
    only_missing = tmp_path / "missing.tsv"
    only_missing.write_text(f"{tmp_path / 'gone.wav'}\tnothing\n")
    for argv, message in [([str(tmp_path / "bad.jsonl")], "not valid JSON"),
                          ([str(tmp_path / "absent.jsonl")], "does not exist"),
                          ([str(only_missing)], "no utterance could be transcribed"),
                          ([str(manifest), "--limit", "0"], "--limit must be at least 1"),
                          ([str(manifest), "--lm", str(tmp_path / "no.arpa")], "does not exist")]:
        code = main(["eval", "speech", *argv, "--model", str(model_dir)])
        _, err = capsys.readouterr()
        assert code == 2 and len(err.strip().splitlines()) == 1 and message in err, err
    with pytest.raises(SeqStudioError, match="at least 1"):
        evaluate_speech(Transcriber.load(model_dir, "cpu"), manifest, limit=0)
