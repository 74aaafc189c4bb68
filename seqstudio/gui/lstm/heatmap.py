"""A heatmap of one activation over time: units down, time across, on the same time axis as the piano roll or
the spectrogram beneath it (both leave the same left margin). Hovering shows the value under the mouse."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from seqstudio.gui import theme
from seqstudio.gui.compose.piano_roll import KEY_W

# Colour maps as anchor colours, interpolated to 256 entries: gates (0..1) on a perceptual sequential map,
# the cell state (signed) on a diverging one centred on white/black at 0.
_SEQUENTIAL = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
_DIVERGING_LIGHT = ["#2166ac", "#67a9cf", "#f7f7f7", "#ef8a62", "#b2182b"]
_DIVERGING_DARK = ["#4393c3", "#2b5b84", "#1e1e1e", "#a0522d", "#e66a50"]


def _lut(anchors: list[str]) -> np.ndarray:
    rgb = np.array([QColor(a).getRgb()[:3] for a in anchors], dtype=np.float64)
    x = np.linspace(0, 1, len(anchors))
    t = np.linspace(0, 1, 256)
    return np.stack([np.interp(t, x, rgb[:, k]) for k in range(3)], axis=1).astype(np.uint8)


class Heatmap(QWidget):
    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent)
        self.title = title
        self.setMouseTracking(True)
        self.setMinimumHeight(70)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._values: np.ndarray | None = None  # (units, steps)
        self._units: np.ndarray = np.zeros(0, dtype=int)  # the unit number of each row
        self._times: np.ndarray | None = None
        self._range = (0.0, 1.0)
        self._labels: list[str] = []
        self._signed = False
        self._scale = 1.0
        self._boundary: float | None = None
        self._cursor: float | None = None
        self._image: QImage | None = None

    def set_data(self, values: np.ndarray, units: np.ndarray, times: np.ndarray, labels: list[str],
                 signed: bool, time_range: tuple[float, float], boundary: float | None = None) -> None:
        self._values = np.asarray(values, dtype=np.float32)
        self._units = np.asarray(units)
        self._times = np.asarray(times, dtype=np.float64)
        self._labels = labels
        self._signed = signed
        self._range = time_range
        self._boundary = boundary
        finite = np.abs(self._values[np.isfinite(self._values)])
        self._scale = float(np.percentile(finite, 99)) if signed and finite.size else 1.0
        self._scale = self._scale or 1.0
        self._image = None
        self.update()

    def clear(self) -> None:
        self._values = None
        self._image = None
        self.update()

    def set_cursor(self, seconds: float | None) -> None:
        self._cursor = seconds
        self.update()

    # -- mapping ---------------------------------------------------------------------------------------------
    def _plot(self) -> QRectF:
        return QRectF(KEY_W, 16, max(1, self.width() - KEY_W - 6), max(1, self.height() - 18))

    def _step_at(self, x: np.ndarray | float) -> np.ndarray:
        """The step whose state holds at time x (pixels): the last step at or before that moment."""
        plot = self._plot()
        t0, t1 = self._range
        tau = t0 + (np.asarray(x, dtype=np.float64) - plot.left()) / plot.width() * (t1 - t0)
        idx = np.searchsorted(self._times, tau, side="right") - 1
        return np.clip(idx, 0, len(self._times) - 1)

    def _render(self) -> QImage:
        plot = self._plot()
        width = int(plot.width())
        steps = self._step_at(plot.left() + np.arange(width) + 0.5)
        block = self._values[:, steps]  # (units, width)
        missing = ~np.isfinite(block)  # no value there (e.g. before a live view's first step): the background
        block = np.where(missing, 0.0, block)
        if self._signed:
            norm = np.clip(block / self._scale * 0.5 + 0.5, 0, 1)
            dark = theme.accent("keys").lightness() < 128
            lut = _lut(_DIVERGING_DARK if dark else _DIVERGING_LIGHT)
        else:
            norm = np.clip(block, 0, 1)
            lut = _lut(_SEQUENTIAL)
        rgb = lut[(norm * 255).astype(np.uint8)]  # (units, width, 3)
        rgba = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=2)
        rgba[missing] = self.palette().base().color().getRgb()
        data = np.ascontiguousarray(rgba)
        image = QImage(data.data, data.shape[1], data.shape[0], data.shape[1] * 4, QImage.Format.Format_RGBA8888)
        return image.copy()  # own the pixels; ``data`` goes away

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._image = None
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        palette = self.palette()
        p.fillRect(self.rect(), palette.base())
        p.setPen(palette.text().color())
        p.drawText(QRectF(4, 0, self.width() - 8, 16), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   self.title)
        plot = self._plot()
        if self._values is None or self._values.size == 0:
            p.end()
            return
        if self._image is None:
            self._image = self._render()
        p.drawImage(plot, self._image)
        n = len(self._units)
        p.setPen(palette.text().color())
        font = p.font()
        font.setPointSizeF(max(6.5, font.pointSizeF() * 0.8))
        p.setFont(font)
        for row in {0, n - 1}:
            y = plot.top() + (row + 0.5) * plot.height() / n
            p.drawText(QRectF(0, y - 8, KEY_W - 4, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       f"#{int(self._units[row])}")
        if self._boundary is not None:
            x = self._x(self._boundary)
            p.setPen(QPen(theme.accent("new"), 1, Qt.PenStyle.DashLine))
            p.drawLine(int(x), int(plot.top()), int(x), int(plot.bottom()))
        if self._cursor is not None:
            p.setPen(QPen(theme.accent("cursor"), 2))
            x = self._x(self._cursor)
            p.drawLine(int(x), int(plot.top()), int(x), int(plot.bottom()))
        p.end()

    def _x(self, seconds: float) -> float:
        plot = self._plot()
        t0, t1 = self._range
        return plot.left() + (seconds - t0) / (t1 - t0) * plot.width()

    def value_at(self, x: float, y: float) -> tuple[int, int, float] | None:
        """(unit, step, value) under the point, or None outside the plot."""
        plot = self._plot()
        if self._values is None or not plot.contains(x, y):
            return None
        row = min(len(self._units) - 1, int((y - plot.top()) / plot.height() * len(self._units)))
        step = int(self._step_at(x))
        value = float(self._values[row, step])
        return (int(self._units[row]), step, value) if np.isfinite(value) else None

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pos = event.position()
        hit = self.value_at(pos.x(), pos.y())
        if hit is None:
            QToolTip.hideText()
            return
        unit, step, value = hit
        label = self._labels[step] if step < len(self._labels) else ""
        text = self.tr("%1 · unit %2 · step %3 (%4 s)\nvalue %5").replace("%1", self.title).replace(
            "%2", str(unit)).replace("%3", str(step)).replace("%4", f"{self._times[step]:.2f}").replace(
            "%5", f"{value:.3f}")
        if label:
            text += f" · {label}"
        QToolTip.showText(event.globalPosition().toPoint(), text, self)
