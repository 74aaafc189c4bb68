"""Waveform and log-mel spectrogram of one recording on one time axis, with a play cursor; click to seek."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from seqstudio.gui import theme
from seqstudio.gui.compose.piano_roll import KEY_W
from seqstudio.gui.lstm.heatmap import _SEQUENTIAL, _lut


class SignalView(QWidget):
    seek_requested = Signal(float)

    def __init__(self, show_wave: bool = True, show_mel: bool = True, parent=None) -> None:
        super().__init__(parent)
        self._show_wave, self._show_mel = show_wave, show_mel
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._audio = None  # jobs.AudioView
        self._range: tuple[float, float] | None = None
        self._cursor: float | None = None
        self._mel_image: QImage | None = None
        self._placeholder = ""

    def set_audio(self, audio) -> None:
        self._audio = audio
        self._mel_image = None
        self.update()

    def clear(self, placeholder: str = "") -> None:
        self._audio = None
        self._placeholder = placeholder
        self.update()

    def set_time_range(self, start: float, end: float) -> None:
        self._range = (start, max(end, start + 1e-3))
        self.update()

    def set_cursor(self, seconds: float | None) -> None:
        self._cursor = seconds
        self.update()

    def _span(self) -> tuple[float, float]:
        if self._range is not None:
            return self._range
        return 0.0, max(self._audio.duration if self._audio else 1.0, 1e-3)

    def _plot(self) -> QRectF:
        return QRectF(KEY_W, 2, max(1, self.width() - KEY_W - 6), max(1, self.height() - 4))

    def _x(self, seconds: float) -> float:
        plot = self._plot()
        t0, t1 = self._span()
        return plot.left() + (seconds - t0) / (t1 - t0) * plot.width()

    def time_at(self, x: float) -> float:
        plot = self._plot()
        t0, t1 = self._span()
        return t0 + (x - plot.left()) / plot.width() * (t1 - t0)

    def _mel(self) -> QImage:
        mel = self._audio.mel  # (frames, n_mels)
        if mel.size == 0:
            mel = np.zeros((1, 1), dtype=np.float32)
        lo, hi = np.percentile(mel, [2, 99.5]) if mel.size > 1 else (0.0, 1.0)
        norm = np.clip((mel - lo) / max(hi - lo, 1e-6), 0, 1)
        rgb = _lut(_SEQUENTIAL)[(norm.T[::-1] * 255).astype(np.uint8)]  # (n_mels, frames, 3), low bands below
        rgba = np.ascontiguousarray(np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=2))
        image = QImage(rgba.data, rgba.shape[1], rgba.shape[0], rgba.shape[1] * 4, QImage.Format.Format_RGBA8888)
        return image.copy()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        palette = self.palette()
        p.fillRect(self.rect(), palette.base())
        plot = self._plot()
        if self._audio is None:
            if self._placeholder:
                p.setPen(palette.placeholderText().color())
                p.drawText(plot, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._placeholder)
            p.end()
            return
        parts = [k for k, on in (("wave", self._show_wave), ("mel", self._show_mel)) if on]
        height = plot.height() / len(parts)
        t0, t1 = self._span()
        for i, part in enumerate(parts):
            box = QRectF(plot.left(), plot.top() + i * height, plot.width(), height - (2 if i < len(parts) - 1 else 0))
            p.setPen(palette.text().color())
            p.drawText(QRectF(0, box.top(), KEY_W - 4, 16), Qt.AlignmentFlag.AlignRight,
                       self.tr("wave") if part == "wave" else self.tr("mel"))
            if part == "wave":
                self._paint_wave(p, box, t0, t1)
            else:
                if self._mel_image is None:
                    self._mel_image = self._mel()
                hop = self._audio.hop_s
                frames = self._mel_image.width()
                f0 = max(0.0, t0 / hop)
                f1 = min(float(frames), t1 / hop)
                if f1 > f0:
                    x0, x1 = self._x(f0 * hop), self._x(f1 * hop)
                    p.drawImage(QRectF(x0, box.top(), x1 - x0, box.height()), self._mel_image,
                                QRectF(f0, 0, f1 - f0, self._mel_image.height()))
        if self._cursor is not None:
            p.setPen(QPen(theme.accent("cursor"), 2))
            x = self._x(self._cursor)
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        p.end()

    def _paint_wave(self, p: QPainter, box: QRectF, t0: float, t1: float) -> None:
        samples, rate = self._audio.samples, self._audio.sample_rate
        p.fillRect(box, theme.accent("keys"))
        width = int(box.width())
        if len(samples) == 0 or width <= 0:
            return
        edges = np.clip(((t0 + (t1 - t0) * np.arange(width + 1) / width) * rate).astype(np.int64), 0, len(samples))
        starts = edges[:-1]
        valid = starts < len(samples)
        peak = float(np.max(np.abs(samples))) or 1.0
        mid = box.center().y()
        scale = box.height() / 2 / peak * 0.95
        p.setPen(theme.accent("wave"))
        reduce_max = np.maximum.reduceat(samples, np.minimum(starts[valid], len(samples) - 1))
        reduce_min = np.minimum.reduceat(samples, np.minimum(starts[valid], len(samples) - 1))
        for x, hi, lo in zip(np.flatnonzero(valid), reduce_max, reduce_min, strict=False):
            p.drawLine(QPointF(box.left() + x, mid - hi * scale), QPointF(box.left() + x, mid - lo * scale))

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if self._audio is not None and event.position().x() > KEY_W:
            self.seek_requested.emit(max(0.0, min(self._audio.duration, self.time_at(event.position().x()))))
