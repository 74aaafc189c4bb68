"""The piano roll: notes per instrument over time, seed and continuation in different colours, zoomable and
scrollable, with a play cursor. It paints plain data (:class:`RollNote`) and knows nothing of models."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QToolTip

from seqstudio.gui import theme

KEY_W = 44  # the keyboard strip on the left; the LSTM view's heatmaps use the same margin to line up
RULER_H = 18
_NAMES = ("C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B")
_BLACK = {1, 3, 6, 8, 10}


def pitch_name(pitch: int) -> str:
    return f"{_NAMES[pitch % 12]}{pitch // 12 - 1}"


@dataclass(frozen=True)
class RollNote:
    track: int  # voice slot; -1 for drums
    pitch: int
    start: float
    end: float
    velocity: int
    new: bool  # True for the continuation


class PianoRoll(QAbstractScrollArea):
    seek_requested = Signal(float)  # the user clicked at this time (seconds)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.setMinimumHeight(160)
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self._notes: list[RollNote] = []
        self._voices: list[str] = []
        self._lo, self._hi = 48, 84
        self._duration = 1.0
        self._boundary: float | None = None  # where the continuation starts
        self._cursor: float | None = None
        self._zoom = 1.0  # 1 = the whole piece fits the width
        self._range: tuple[float, float] | None = None  # a fixed time range (the LSTM view), no scrolling
        self._placeholder = ""
        self.horizontalScrollBar().valueChanged.connect(self.viewport().update)
        self.verticalScrollBar().valueChanged.connect(self.viewport().update)

    # -- data ---------------------------------------------------------------------------------------------
    def set_notes(self, notes: list[RollNote], voices: list[str], boundary: float | None = None) -> None:
        self._notes = sorted(notes, key=lambda n: (n.start, n.pitch))
        self._voices = list(voices)
        pitched = [n.pitch for n in notes if n.track >= 0] or [60]
        self._lo, self._hi = max(0, min(pitched) - 3), min(127, max(pitched) + 3)
        self._duration = max([n.end for n in notes] + [1.0])
        self._boundary = boundary
        self._update_scrollbars()
        self.viewport().update()

    def clear(self, placeholder: str = "") -> None:
        self._placeholder = placeholder
        self.set_notes([], [], None)

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.viewport().update()

    def set_time_range(self, start: float, end: float) -> None:
        """Show exactly [start, end] across the width, without scrolling (for alignment with other views)."""
        self._range = (start, max(end, start + 1e-3))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._update_scrollbars()
        self.viewport().update()

    @property
    def duration(self) -> float:
        return self._duration

    @property
    def note_count(self) -> int:
        return len(self._notes)

    # -- cursor and zoom ------------------------------------------------------------------------------------
    def set_cursor(self, seconds: float | None, follow: bool = True) -> None:
        self._cursor = seconds
        if seconds is not None and follow and self._range is None:
            x = self._x(seconds)
            width = self.viewport().width()
            if x < KEY_W or x > width - 20:
                bar = self.horizontalScrollBar()
                bar.setValue(int(bar.value() + x - KEY_W - (width - KEY_W) * 0.1))
        self.viewport().update()

    def zoom_by(self, factor: float) -> None:
        centre = self._time_at(self.viewport().width() / 2)
        self._zoom = min(64.0, max(1.0, self._zoom * factor))
        self._update_scrollbars()
        bar = self.horizontalScrollBar()
        bar.setValue(int(bar.value() + self._x(centre) - self.viewport().width() / 2))
        self.viewport().update()

    def zoom_fit(self) -> None:
        self._zoom = 1.0
        self._update_scrollbars()
        self.viewport().update()

    # -- geometry -------------------------------------------------------------------------------------------
    def _pps(self) -> float:
        width = max(10, self.viewport().width() - KEY_W - 6)
        if self._range is not None:
            return width / (self._range[1] - self._range[0])
        return width / self._duration * self._zoom

    def _t0(self) -> float:
        return self._range[0] if self._range is not None else 0.0

    def _x(self, t: float) -> float:
        return KEY_W + (t - self._t0()) * self._pps() - self.horizontalScrollBar().value()

    def _time_at(self, x: float) -> float:
        return self._t0() + (x - KEY_W + self.horizontalScrollBar().value()) / self._pps()

    def _rows(self) -> int:
        return self._hi - self._lo + 1

    def _row_h(self) -> float:
        return max(3.0, (self.viewport().height() - RULER_H) / self._rows())

    def _y(self, pitch: int) -> float:
        return RULER_H + (self._hi - pitch) * self._row_h() - self.verticalScrollBar().value()

    def _update_scrollbars(self) -> None:
        full = (self._duration * self._pps()) if self._range is None else 0
        h = self.horizontalScrollBar()
        h.setRange(0, max(0, int(full - (self.viewport().width() - KEY_W - 6))))
        h.setPageStep(max(1, self.viewport().width() - KEY_W))
        v = self.verticalScrollBar()
        v.setRange(0, max(0, int(RULER_H + self._rows() * self._row_h() - self.viewport().height())))
        v.setPageStep(max(1, self.viewport().height()))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._update_scrollbars()

    # -- painting -------------------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self.viewport())
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        rect = self.viewport().rect()
        palette = self.palette()
        p.fillRect(rect, palette.base())
        row_h = self._row_h()
        # rows: black keys shaded
        for pitch in range(self._lo, self._hi + 1):
            y = self._y(pitch)
            if pitch % 12 in _BLACK:
                p.fillRect(QRectF(KEY_W, y, rect.width() - KEY_W, row_h), theme.accent("black_keys"))
        self._paint_grid(p, rect)
        if self._boundary is not None:
            x = self._x(self._boundary)
            p.fillRect(QRectF(x, RULER_H, rect.width() - x, rect.height()), QColor(255, 160, 60, 18))
            p.setPen(QPen(theme.accent("new"), 1, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(x, RULER_H), QPointF(x, rect.height()))
            self._boundary_x = x
        else:
            self._boundary_x = None
        t_lo, t_hi = self._time_at(KEY_W), self._time_at(rect.width())
        for n in self._notes:
            if n.end < t_lo or n.start > t_hi:
                continue
            x0, x1 = self._x(n.start), self._x(n.end)
            if n.track < 0:  # drums: small ticks on a neutral colour
                colour = palette.mid().color()
            else:
                colour = theme.track_colour(n.track, n.new)
            colour.setAlpha(110 + int(n.velocity) // 1)
            r = QRectF(x0, self._y(n.pitch) + 0.5, max(2.0, x1 - x0 - 0.5), max(2.0, row_h - 1))
            p.fillRect(r, colour)
            if row_h >= 6:
                p.setPen(colour.darker(140))
                p.drawRect(r)
        self._paint_keys(p, rect, row_h)
        self._paint_ruler(p, rect)
        if self._cursor is not None:
            x = self._x(self._cursor)
            if x >= KEY_W:
                p.setPen(QPen(theme.accent("cursor"), 2))
                p.drawLine(QPointF(x, 0), QPointF(x, rect.height()))
        self._paint_legend(p, rect)
        if self._boundary_x is not None and KEY_W < self._boundary_x < rect.width() - 40:
            p.setPen(theme.accent("new"))
            metrics = p.fontMetrics()
            caption = self.tr("continuation →")
            p.drawText(QPointF(self._boundary_x + 4, rect.height() - 6), caption)
            seed_caption = self.tr("← seed")
            p.setPen(palette.text().color())
            p.drawText(QPointF(self._boundary_x - 4 - metrics.horizontalAdvance(seed_caption), rect.height() - 6),
                       seed_caption)
        if not self._notes and self._placeholder:
            p.setPen(palette.placeholderText().color())
            p.drawText(rect.adjusted(KEY_W, RULER_H, 0, 0), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       self._placeholder)
        p.end()

    def _tick_step(self) -> float:
        pps = self._pps()
        for step in (0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300):
            if step * pps >= 60:
                return step
        return 600

    def _paint_grid(self, p: QPainter, rect) -> None:
        step = self._tick_step()
        p.setPen(QPen(theme.accent("grid"), 1))
        t = (int(self._time_at(KEY_W) / step)) * step
        while True:
            x = self._x(t)
            if x > rect.width():
                break
            if x >= KEY_W:
                p.drawLine(QPointF(x, RULER_H), QPointF(x, rect.height()))
            t += step

    def _paint_ruler(self, p: QPainter, rect) -> None:
        palette = self.palette()
        p.fillRect(QRectF(0, 0, rect.width(), RULER_H), palette.window())
        font = QFont(p.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.8))
        p.setFont(font)
        p.setPen(palette.text().color())
        step = self._tick_step()
        t = (int(self._time_at(KEY_W) / step)) * step
        while True:
            x = self._x(t)
            if x > rect.width():
                break
            if x >= KEY_W:
                label = f"{t:g}s" if t < 60 else f"{int(t // 60)}:{int(t % 60):02d}"
                p.drawLine(QPointF(x, RULER_H - 5), QPointF(x, RULER_H))
                p.drawText(QPointF(x + 3, RULER_H - 5), label)
            t += step

    def _paint_keys(self, p: QPainter, rect, row_h: float) -> None:
        palette = self.palette()
        p.fillRect(QRectF(0, RULER_H, KEY_W, rect.height()), theme.accent("keys").lighter(115))
        font = QFont(p.font())
        font.setPointSizeF(max(6.5, min(9.0, row_h * 0.8)))
        p.setFont(font)
        for pitch in range(self._lo, self._hi + 1):
            y = self._y(pitch)
            if pitch % 12 in _BLACK:
                p.fillRect(QRectF(0, y, KEY_W * 0.6, row_h), theme.accent("black_key"))
            if row_h >= 5 and (pitch % 12 == 0 or (row_h >= 11 and pitch % 12 not in _BLACK)):
                p.setPen(palette.text().color())
                p.drawText(QRectF(2, y, KEY_W - 4, row_h), Qt.AlignmentFlag.AlignRight |
                           Qt.AlignmentFlag.AlignVCenter, pitch_name(pitch))
        p.setPen(palette.mid().color())
        p.drawLine(QPointF(KEY_W, RULER_H), QPointF(KEY_W, rect.height()))

    def _paint_legend(self, p: QPainter, rect) -> None:
        if not self._voices:
            return
        metrics = p.fontMetrics()
        lines = [(name, i) for i, name in enumerate(self._voices)]
        width = max(metrics.horizontalAdvance(n) for n, _ in lines) + 44
        height = metrics.height() * len(lines) + 8
        box = QRectF(rect.width() - width - 8, RULER_H + 6, width, height)
        back = self.palette().window().color()
        back.setAlpha(215)
        p.fillRect(box, back)
        for row, (name, track) in enumerate(lines):
            y = box.top() + 4 + row * metrics.height()
            p.fillRect(QRectF(box.left() + 6, y + 3, 10, metrics.height() - 6), theme.track_colour(track, False))
            p.fillRect(QRectF(box.left() + 18, y + 3, 10, metrics.height() - 6), theme.track_colour(track, True))
            p.setPen(self.palette().text().color())
            p.drawText(QPointF(box.left() + 34, y + metrics.ascent()), name)

    # -- interaction ------------------------------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.25 if event.angleDelta().y() > 0 else 0.8)
            event.accept()
        elif event.modifiers() & Qt.KeyboardModifier.ShiftModifier or abs(event.angleDelta().x()) > 0:
            bar = self.horizontalScrollBar()
            delta = event.angleDelta().x() or event.angleDelta().y()
            bar.setValue(bar.value() - delta)
            event.accept()
        else:
            super().wheelEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        x = event.position().x()
        if event.button() == Qt.MouseButton.LeftButton and x > KEY_W and self._notes:
            self.seek_requested.emit(max(0.0, min(self._duration, self._time_at(x))))

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pos = event.position()
        if pos.x() <= KEY_W or not self._notes:
            QToolTip.hideText()
            return
        t = self._time_at(pos.x())
        pitch = self._hi - int((pos.y() - RULER_H + self.verticalScrollBar().value()) // self._row_h())
        for n in self._notes:
            if n.start <= t <= n.end and n.pitch == pitch:
                voice = self._voices[n.track] if 0 <= n.track < len(self._voices) else self.tr("drums")
                part = self.tr("continuation") if n.new else self.tr("seed")
                QToolTip.showText(event.globalPosition().toPoint(),
                                  f"{pitch_name(n.pitch)} · {voice} · {part}\n"
                                  f"{n.start:.2f}–{n.end:.2f} s · vel {n.velocity}", self)
                return
        QToolTip.showText(event.globalPosition().toPoint(), f"{t:.2f} s · {pitch_name(max(0, pitch))}", self)
