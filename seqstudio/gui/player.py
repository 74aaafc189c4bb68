"""Playing a WAV (or any audio file) through QtMultimedia, with the position reported often enough to move a
cursor. Where the machine has no audio output the player runs a silent clock instead, so the cursor still
moves and says why there is no sound."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, QUrl, Signal

_TICK_MS = 33  # ~30 cursor updates a second, only while playing


def _duration(path: Path) -> float:
    import soundfile as sf

    try:
        return float(sf.info(str(path)).duration)
    except Exception:  # noqa: BLE001 - a format soundfile cannot read: the cursor just runs until stopped
        return float("inf")


class AudioPlayer(QObject):
    """``play(path, start_s)``, ``pause()``, ``resume()``, ``seek()``, ``stop()``; ``position`` (seconds)."""

    position = Signal(float)
    playing_changed = Signal(bool)
    error = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._player = None
        self._source: Path | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(_TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._silent = False
        self._clock = QElapsedTimer()
        self._offset = 0.0  # silent clock: where it started, in seconds
        self._length = 0.0
        self._playing = False

    @staticmethod
    def output_problem() -> str:
        """Why nothing can be heard here ("" when an audio output exists)."""
        from PySide6.QtMultimedia import QMediaDevices

        return "" if QMediaDevices.audioOutputs() else "no audio output device was found"

    def _ensure(self):
        if self._player is None:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

            self._player = QMediaPlayer(self)
            self._player.setAudioOutput(QAudioOutput(self))
            self._player.playbackStateChanged.connect(self._on_state)
            self._player.errorOccurred.connect(lambda _e, text: self.error.emit(text or "playback failed"))
        return self._player

    @property
    def is_playing(self) -> bool:
        return self._playing

    @property
    def source(self) -> Path | None:
        return self._source

    def play(self, path: str | Path, start_s: float = 0.0) -> None:
        path = Path(path)
        self._silent = bool(self.output_problem())
        if self._silent:
            self._source = path
            self._length = _duration(path)
            self._offset = max(0.0, start_s)
            self._clock.start()
            self._set_playing(True)
            return
        player = self._ensure()
        if self._source != path:
            player.setSource(QUrl.fromLocalFile(str(path)))
            self._source = path
        player.setPosition(int(max(0.0, start_s) * 1000))
        player.play()

    def current(self) -> float:
        if self._silent:
            return self._offset + (self._clock.elapsed() / 1000.0 if self._playing else 0.0)
        return self._player.position() / 1000.0 if self._player is not None else 0.0

    def resume(self) -> None:
        if self._silent and self._source is not None:
            self._clock.start()
            self._set_playing(True)
        elif self._player is not None:
            self._player.play()

    def seek(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        if self._silent:
            self._offset = seconds
            self._clock.start()
        elif self._player is not None:
            self._player.setPosition(int(seconds * 1000))
        self.position.emit(seconds)

    def pause(self) -> None:
        if self._silent:
            self._offset = self.current()
            self._set_playing(False)
        elif self._player is not None:
            self._player.pause()

    def stop(self) -> None:
        if self._silent:
            self._offset = 0.0
            self._set_playing(False)
        elif self._player is not None:
            self._player.stop()
        self._timer.stop()

    def release(self) -> None:
        """Forget the source, so its file may be replaced or removed."""
        self.stop()
        if self._player is not None:
            self._player.setSource(QUrl())
        self._source = None

    def _set_playing(self, playing: bool) -> None:
        if playing:
            self._timer.start()
        else:
            self._timer.stop()
        if playing != self._playing:
            self._playing = playing
            self.playing_changed.emit(playing)

    def _on_state(self, state) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        self._set_playing(state == QMediaPlayer.PlaybackState.PlayingState)
        self._tick()

    def _tick(self) -> None:
        now = self.current()
        if self._silent and now >= self._length:
            self._offset = 0.0
            self._set_playing(False)
            now = self._length if self._length != float("inf") else now
        self.position.emit(now)
