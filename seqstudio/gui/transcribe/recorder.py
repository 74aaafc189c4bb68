"""Recording from a microphone with QtMultimedia, to a WAV file the queue can transcribe."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal


class Recorder(QObject):
    recorded = Signal(str)  # the finished file
    error = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = None
        self._recorder = None
        self._path: Path | None = None

    @property
    def is_recording(self) -> bool:
        return self._recorder is not None

    def start(self, path: str | Path, device=None) -> None:
        """Record ``device`` (a QAudioDevice; None: the system's default input) into the WAV file ``path``."""
        from PySide6.QtMultimedia import QAudioInput, QMediaCaptureSession, QMediaFormat, QMediaRecorder

        self._path = Path(path)
        self._session = QMediaCaptureSession(self)
        self._session.setAudioInput(QAudioInput(device, self) if device is not None else QAudioInput(self))
        self._recorder = QMediaRecorder(self)
        fmt = QMediaFormat()
        fmt.setFileFormat(QMediaFormat.FileFormat.Wave)
        fmt.setAudioCodec(QMediaFormat.AudioCodec.Wave)
        self._recorder.setMediaFormat(fmt)
        self._recorder.setOutputLocation(QUrl.fromLocalFile(str(self._path)))
        self._recorder.errorOccurred.connect(lambda _e, text: self.error.emit(text or "recording failed"))
        self._recorder.recorderStateChanged.connect(self._on_state)
        self._session.setRecorder(self._recorder)
        self._recorder.record()

    def stop(self) -> None:
        if self._recorder is not None:
            self._recorder.stop()

    def _on_state(self, state) -> None:
        from PySide6.QtMultimedia import QMediaRecorder

        if state == QMediaRecorder.RecorderState.StoppedState and self._recorder is not None:
            actual = self._recorder.actualLocation().toLocalFile() or str(self._path)
            self._recorder = None
            self._session = None
            if Path(actual).exists():
                self.recorded.emit(actual)
