"""The command line as a user meets it: real files in tmp folders, one-line errors, nothing clobbered."""

from __future__ import annotations

import os
import pickle  # noqa: TID251 - only to plant the hostile weights file the CLI must refuse
import shutil
import subprocess
import sys

import pretty_midi
import pytest

from seqstudio.cli.main import main
from tests.conftest import REPO, SEEDS, make_midi


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err):
    assert code != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("seqstudio") and "error" in lines[0]
    assert "Traceback" not in err


def test_generate_writes_a_midi_with_seed_then_continuation(tiny_model, tmp_path, capsys):
    out = tmp_path / "take.mid"
    code, stdout, _ = run(["generate", "--seed", SEEDS / "groove_trio.mid", "--out", out, "--model", tiny_model,
                           "--seconds", 3, "--rng-seed", 11, "--device", "cpu"], capsys)
    assert code == 0 and str(out) in stdout
    midi = pretty_midi.PrettyMIDI(str(out))
    seed = pretty_midi.PrettyMIDI(str(SEEDS / "groove_trio.mid"))
    assert [(i.program, i.is_drum) for i in midi.instruments] == [(i.program, i.is_drum) for i in seed.instruments]
    assert midi.get_end_time() <= seed.get_end_time() + 3 + 0.02


def test_same_rng_seed_gives_the_same_bytes_and_variations_get_numbered(tiny_model, tmp_path, capsys):
    args = ["generate", "--seed", SEEDS / "folk_reel.mid", "--model", tiny_model, "--seconds", 2,
            "--rng-seed", 5, "--device", "cpu"]
    assert run(args + ["--out", tmp_path / "a.mid"], capsys)[0] == 0
    assert run(args + ["--out", tmp_path / "b.mid"], capsys)[0] == 0
    assert (tmp_path / "a.mid").read_bytes() == (tmp_path / "b.mid").read_bytes()
    assert run(args + ["--out", tmp_path / "v.mid", "--variations", 3], capsys)[0] == 0
    assert sorted(p.name for p in tmp_path.glob("v-*.mid")) == ["v-1.mid", "v-2.mid", "v-3.mid"]


def test_existing_output_is_kept_without_overwrite(tiny_model, tmp_path, capsys):
    out = tmp_path / "take.mid"
    out.write_bytes(b"precious")
    args = ["generate", "--seed", SEEDS / "folk_reel.mid", "--out", out, "--model", tiny_model,
            "--seconds", 1, "--device", "cpu"]
    code, _, err = run(args, capsys)
    assert_one_line_error(code, err)
    assert out.read_bytes() == b"precious"
    assert run(args + ["--overwrite"], capsys)[0] == 0
    assert out.read_bytes()[:4] == b"MThd"


def _bad_seed(kind, tmp_path):
    path = tmp_path / f"{kind}.mid"
    if kind == "text":
        path.write_text("not music")
    elif kind == "truncated":
        path.write_bytes(make_midi(tmp_path / "ok.mid", seconds=10).read_bytes()[:50])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "drums":
        make_midi(path, voices=1, drums=True)
        midi = pretty_midi.PrettyMIDI(str(path))
        midi.instruments = [i for i in midi.instruments if i.is_drum]
        midi.write(str(path))
    elif kind == "missing":
        pass
    return path


@pytest.mark.parametrize("kind", ["text", "truncated", "empty", "drums", "missing"])
def test_bad_seeds_are_one_line_errors_with_no_output(kind, tiny_model, tmp_path, capsys):
    out = tmp_path / "out.mid"
    code, _, err = run(["generate", "--seed", _bad_seed(kind, tmp_path), "--out", out, "--model", tiny_model,
                        "--device", "cpu"], capsys)
    assert_one_line_error(code, err)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]  # no temp file left either


@pytest.mark.parametrize("options", [["--seconds", "-5"], ["--temperature", "-1"], ["--top-p", "0"],
                                     ["--top-p", "1.2"], ["--variations", "0"], ["--device", "cuda:7"],
                                     ["--device", "quantum"], ["--seconds", "abc"], ["--density", "0"]])
def test_nonsense_options_are_one_line_errors(options, tiny_model, tmp_path, capsys):
    out = tmp_path / "out.mid"
    argv = ["generate", "--seed", SEEDS / "folk_reel.mid", "--out", out, "--model", tiny_model, *options]
    with_exit = pytest.raises(SystemExit) if options[1] == "abc" else None
    if with_exit:
        with with_exit as info:
            run(argv, capsys)
        code, err = info.value.code, capsys.readouterr().err
    else:
        code, _, err = run(argv, capsys)
    assert_one_line_error(code, err)
    assert not out.exists()


def test_model_folders_that_are_broken_are_one_line_errors(tiny_model, tmp_path, capsys):
    broken = tmp_path / "model"
    shutil.copytree(tiny_model, broken)

    class Evil:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    (broken / "model.safetensors").write_bytes(pickle.dumps(Evil()))
    args = ["generate", "--seed", SEEDS / "folk_reel.mid", "--out", tmp_path / "o.mid", "--device", "cpu"]
    for model in (broken, tmp_path / "nowhere", SEEDS):
        code, _, err = run(args + ["--model", model], capsys)
        assert_one_line_error(code, err)
    assert not (tmp_path / "pwned").exists()
    (broken / "config.json").write_text("{}")
    assert_one_line_error(*run(args + ["--model", broken], capsys)[::2])


def test_a_100000_note_seed_is_handled(tiny_model, tmp_path, capsys):
    midi = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(0)
    for i in range(100_000):
        t = i * 0.05
        inst.notes.append(pretty_midi.Note(80, 48 + (i * 7) % 36, t, t + 0.04))
    midi.instruments.append(inst)
    midi.write(str(tmp_path / "huge.mid"))
    out = tmp_path / "out.mid"
    code, _, err = run(["generate", "--seed", tmp_path / "huge.mid", "--out", out, "--model", tiny_model,
                        "--seconds", 1, "--context-seconds", 10, "--no-seed-in-output", "--device", "cpu"], capsys)
    assert code == 0, err
    assert pretty_midi.PrettyMIDI(str(out)).get_end_time() <= 1.0 + 1e-6


def test_eval_music_on_a_folder_of_midi(tiny_model, midi_folder, capsys):
    code, out, _ = run(["eval", "music", midi_folder, "--model", tiny_model, "--device", "cpu"], capsys)
    assert code == 0 and "NLL per event" in out and "perplexity" in out


def test_help_and_no_arguments(capsys):
    assert run([], capsys)[0] == 0
    with pytest.raises(SystemExit) as info:
        main(["generate", "--help"])
    assert info.value.code == 0
    assert "--rng-seed" in capsys.readouterr().out


def test_installed_entry_point_and_module_run_headless_without_qt():
    """`python -m seqstudio` works in a fresh process and never imports a Qt binding."""
    code = ("import sys, runpy; sys.argv=['seqstudio','generate','--help']\n"
            "try:\n runpy.run_module('seqstudio', run_name='__main__')\nexcept SystemExit: pass\n"
            "import seqstudio.music.composer, seqstudio.music.train\n"
            "assert not any(m.split('.')[0] in ('PySide6','PyQt5','PyQt6') for m in sys.modules), 'Qt imported'")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    exe = shutil.which("seqstudio", path=os.path.dirname(sys.executable))
    if exe:  # installed by scripts/setup.sh
        done = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "seqstudio" in done.stdout


def test_unwritable_output_and_a_blocked_variation_write_nothing(tiny_model, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    args = ["generate", "--seed", SEEDS / "folk_reel.mid", "--model", tiny_model, "--seconds", 1, "--device", "cpu"]
    assert_one_line_error(*run(args + ["--out", tmp_path / "afile" / "x.mid"], capsys)[::2])
    (tmp_path / "v-2.mid").write_bytes(b"keep")
    assert_one_line_error(*run(args + ["--out", tmp_path / "v.mid", "--variations", 3], capsys)[::2])
    assert not (tmp_path / "v-1.mid").exists() and not (tmp_path / "v-3.mid").exists()
    assert (tmp_path / "v-2.mid").read_bytes() == b"keep"


def test_outputs_get_ordinary_file_permissions(tiny_model, tmp_path, capsys):
    out = tmp_path / "take.mid"
    assert run(["generate", "--seed", SEEDS / "folk_reel.mid", "--out", out, "--model", tiny_model,
                "--seconds", 1, "--device", "cpu"], capsys)[0] == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_data_train_eval_ngram_and_bench_commands(tmp_path, midi_folder, capsys):
    corpus, runs = tmp_path / "corpus", tmp_path / "run"
    code, out, _ = run(["data", "music", "--music21", "none", "--midi-dir", midi_folder, "--out", corpus,
                        "--jobs", 1], capsys)
    assert code == 0 and "train" in out and "built" in out
    assert "cached" in run(["data", "music", "--music21", "none", "--midi-dir", midi_folder, "--out", corpus],
                           capsys)[1]
    assert run(["train", "music", "--corpus", corpus, "--out", runs, "--preset", "tiny", "--steps", 6,
                "--device", "cpu"], capsys)[0] == 0
    code, out, _ = run(["eval", "music", "--model", runs / "model", "--corpus", corpus, "--split", "test",
                        "--json", "--device", "cpu"], capsys)
    assert code == 0 and '"nll_per_event"' in out
    code, out, _ = run(["eval", "ngram", "--corpus", corpus, "--orders", "1,2,3"], capsys)
    assert code == 0 and "best order" in out
    assert_one_line_error(*run(["eval", "ngram", "--corpus", corpus, "--orders", "9"], capsys)[::2])
    code, out, _ = run(["bench", "generate", "--model", runs / "model", "--tokens", 20, "--batch", 2], capsys)
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("cpu")]
    assert [int(r.split()[1]) for r in rows] == [1, 2] and all(r.endswith("x") for r in rows)
    assert_one_line_error(*run(["train", "music", "--corpus", tmp_path / "nowhere", "--out", tmp_path / "r2",
                                "--preset", "tiny"], capsys)[::2])
