"""Transcript segmentation and the TXT / SRT / VTT / JSON writers, on real files."""

from __future__ import annotations

import json

import pytest

from seqstudio.core.errors import SeqStudioError
from seqstudio.speech.formats import (
    FORMATS,
    Segment,
    Word,
    from_json,
    render,
    segment_words,
    to_json,
    to_srt,
    to_txt,
    to_vtt,
    write_transcript,
)

WORDS = [
    Word("hello", 0.0, 0.42, 0.98),
    Word("world", 0.5, 1.0, 0.91),
    # a 2 s pause
    Word("this", 3.0, 3.2),
    Word("is", 3.25, 3.4),
    Word("a", 3.45, 3.5),
    Word("test", 3.55, 4.1234),
]


def test_segments_break_at_long_pauses():
    segments = segment_words(WORDS)
    assert [s.text for s in segments] == ["hello world", "this is a test"]
    assert (segments[0].start, segments[0].end) == (0.0, 1.0)
    assert (segments[1].start, segments[1].end) == (3.0, 4.1234)
    assert segments[0].words == tuple(WORDS[:2])


def test_segments_break_at_length_and_duration_limits():
    words = [Word(f"w{i:02d}", i * 0.3, i * 0.3 + 0.25) for i in range(40)]
    by_chars = segment_words(words, max_chars=15, max_duration_s=100)
    assert all(len(s.text) <= 15 for s in by_chars)
    assert [w for s in by_chars for w in s.words] == words
    assert by_chars[0].text == "w00 w01 w02 w03"  # 15 characters exactly
    by_time = segment_words(words, max_chars=1000, max_duration_s=2.0)
    assert all(s.end - s.start <= 2.0 for s in by_time)
    long_word = segment_words([Word("supercalifragilistic", 0, 1)], max_chars=5)
    assert [s.text for s in long_word] == ["supercalifragilistic"]


def test_segment_words_validates():
    assert segment_words([]) == []
    assert segment_words([Word("  ", 0, 1)]) == []
    with pytest.raises(ValueError, match="time order"):
        segment_words([Word("b", 2, 3), Word("a", 0, 1)])
    with pytest.raises(ValueError):
        Word("x", 2.0, 1.0)
    with pytest.raises(ValueError):
        Segment(float("nan"), 1.0, "x")


def test_exact_srt_and_vtt():
    segments = segment_words(WORDS)
    # fmt: off
    assert to_srt(segments) == (
        "1\n00:00:00,000 --> 00:00:01,000\nhello world\n"
        "\n"
        "2\n00:00:03,000 --> 00:00:04,123\nthis is a test\n"
    )
    assert to_vtt(segments) == (
        "WEBVTT\n"
        "\n00:00:00.000 --> 00:00:01.000\nhello world\n"
        "\n00:00:03.000 --> 00:00:04.123\nthis is a test\n"
    )
    # fmt: on
    assert to_txt(segments) == "hello world\nthis is a test\n"


def test_times_past_an_hour_and_rounding():
    segments = [Segment(3600 + 61.0005, 3 * 3600 + 59 * 60 + 59.9996, "late"), Segment(360000.0, 360001.5, "very")]
    srt = to_srt(segments)
    assert "01:01:01,001 --> 04:00:00,000" in srt
    assert "100:00:00,000 --> 100:00:01,500" in srt
    assert "01:01:01.001 --> 04:00:00.000" in to_vtt(segments)


def test_cue_text_cannot_break_the_file():
    segments = [Segment(0, 1, "one\n\n  two"), Segment(1, 2, "   "), Segment(2, 3, "a < b --> c & d")]
    assert (
        to_srt(segments)
        == "1\n00:00:00,000 --> 00:00:01,000\none\ntwo\n\n2\n00:00:02,000 --> 00:00:03,000\na < b --> c & d\n"
    )
    assert to_vtt(segments).endswith("\na &lt; b --&gt; c &amp; d\n")
    assert to_txt(segments) == "one two\na < b --> c & d\n"


def test_an_empty_transcript_is_a_valid_file_in_every_format(tmp_path):
    expected = {"txt": "", "srt": "", "vtt": "WEBVTT\n"}
    for fmt in FORMATS:
        path = write_transcript(tmp_path / f"silence.{fmt}", [])
        text = path.read_text(encoding="utf-8")
        if fmt == "json":
            assert json.loads(text)["segments"] == [] and from_json(text) == []
        else:
            assert text == expected[fmt]


def test_json_round_trips_with_times_rounded_to_milliseconds():
    segments = segment_words(WORDS)
    text = to_json(segments)
    data = json.loads(text)
    assert data["format"] == "seqstudio-transcript" and data["version"] == 1
    assert data["text"] == "hello world this is a test"
    assert data["segments"][1]["end"] == 4.123
    assert data["segments"][0]["words"][0] == {"text": "hello", "start": 0.0, "end": 0.42, "confidence": 0.98}
    back = from_json(text)
    assert [s.text for s in back] == [s.text for s in segments]
    assert back[1].words[-1] == Word("test", 3.55, 4.123)
    assert from_json(to_json(back)) == back


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"format": "other", "version": 1, "segments": []}',
        '{"format": "seqstudio-transcript", "version": 1, "segments": [{"start": 0}]}',
    ],
)
def test_malformed_json_is_a_one_line_error(text):
    with pytest.raises(SeqStudioError) as info:
        from_json(text)
    assert "\n" not in str(info.value)


def test_write_transcript_never_clobbers_unless_asked(tmp_path):
    segments = segment_words(WORDS)
    path = write_transcript(tmp_path / "out" / "talk.srt", segments)
    assert path.read_text(encoding="utf-8") == to_srt(segments)
    with pytest.raises(SeqStudioError, match="already exists"):
        write_transcript(path, segments[:1])
    assert path.read_text(encoding="utf-8") == to_srt(segments)
    write_transcript(path, segments[:1], overwrite=True)
    assert path.read_text(encoding="utf-8") == to_srt(segments[:1])
    assert sorted(p.name for p in path.parent.iterdir()) == ["talk.srt"]  # no temporary files left


def test_format_choice(tmp_path):
    segments = segment_words(WORDS)
    path = write_transcript(tmp_path / "talk.txt", segments, fmt="vtt")
    assert path.read_text(encoding="utf-8").startswith("WEBVTT")
    assert render(segments, "JSON") == to_json(segments)
    with pytest.raises(SeqStudioError, match="unknown transcript format"):
        write_transcript(tmp_path / "talk.docx", segments)
    with pytest.raises(SeqStudioError, match="no extension"):
        write_transcript(tmp_path / "talk", segments)
    assert not (tmp_path / "talk.docx").exists() and not (tmp_path / "talk").exists()


def test_unicode_text_survives(tmp_path):
    segments = [Segment(0, 1, "café – naïve ✓")]
    path = write_transcript(tmp_path / "u.json", segments)
    assert from_json(path.read_text(encoding="utf-8"))[0].text == "café – naïve ✓"
