"""The "Inside the LSTM" workspace: gate and cell heatmaps of the last generation or transcription, for a
chosen layer and units, over the piano roll or the spectrogram on the same time axis."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from seqstudio.gui.compose.piano_roll import PianoRoll
from seqstudio.gui.compose.takes import TakeRef
from seqstudio.gui.context import AppContext
from seqstudio.gui.lstm import explain
from seqstudio.gui.lstm.heatmap import Heatmap
from seqstudio.gui.transcribe.signal_view import SignalView

_ROWS = (("input", True), ("forget", True), ("output", True), ("cell", False))  # (activation, is a gate)


class InsideWorkspace(QWidget):
    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.inside = None  # jobs.InsideView
        ctx.inside_ready.connect(self.show_inside)
        root = QVBoxLayout(self)

        bar = QHBoxLayout()
        self.title = QLabel(self.tr("Nothing to show yet"))
        self.title.setStyleSheet("font-weight: 600;")
        bar.addWidget(self.title, 1)
        bar.addWidget(QLabel(self.tr("Layer")))
        self.layer = QComboBox()
        self.layer.setToolTip(self.tr("Which LSTM layer (1 is nearest the input)"))
        bar.addWidget(self.layer)
        self.direction_label = QLabel(self.tr("Direction"))
        bar.addWidget(self.direction_label)
        self.direction = QComboBox()
        self.direction.addItems([self.tr("forward"), self.tr("backward")])
        self.direction.setToolTip(self.tr("A bidirectional layer reads the recording both ways"))
        bar.addWidget(self.direction)
        bar.addWidget(QLabel(self.tr("Units")))
        self.first_unit = QSpinBox()
        self.first_unit.setPrefix("#")
        self.first_unit.setToolTip(self.tr("The first unit shown"))
        bar.addWidget(self.first_unit)
        self.unit_count = QSpinBox()
        self.unit_count.setRange(1, 256)
        self.unit_count.setValue(48)
        self.unit_count.setPrefix("× ")
        self.unit_count.setToolTip(self.tr("How many units to show"))
        bar.addWidget(self.unit_count)
        self.order = QComboBox()
        self.order.addItems([self.tr("in order"), self.tr("most active first")])
        self.order.setToolTip(self.tr("Show units by number, or those whose cell state changes most"))
        bar.addWidget(self.order)
        root.addLayout(bar)

        split = QSplitter(Qt.Orientation.Horizontal)
        maps = QWidget()
        maps_layout = QVBoxLayout(maps)
        maps_layout.setContentsMargins(0, 0, 0, 0)
        maps_layout.setSpacing(2)
        names = {"input": self.tr("Input gate"), "forget": self.tr("Forget gate"), "output": self.tr("Output gate"),
                 "cell": self.tr("Cell state")}
        self.heatmaps = {name: Heatmap(names[name]) for name, _ in _ROWS}
        for name, _ in _ROWS:
            maps_layout.addWidget(self.heatmaps[name], 1)
        self.aligned = QStackedWidget()
        self.roll = PianoRoll()
        self.roll.setMinimumHeight(120)
        self.signal = SignalView(show_wave=False, show_mel=True)
        self.empty = QLabel(self.tr("Generate a take in Compose, or transcribe a file, then press "
                                    "“Look inside the LSTM”. The values come from the real model run."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setObjectName("hint")
        for w in (self.empty, self.roll, self.signal):
            self.aligned.addWidget(w)
        maps_layout.addWidget(self.aligned, 1)
        split.addWidget(maps)
        self.explanation = QTextBrowser()
        self.explanation.setHtml(explain.html())
        self.explanation.setMinimumWidth(240)
        self.explanation.setMaximumWidth(360)
        split.addWidget(self.explanation)
        split.setStretchFactor(0, 1)
        root.addWidget(split, 1)

        for w in (self.layer, self.direction, self.order):
            w.currentIndexChanged.connect(self._refresh)
        for w in (self.first_unit, self.unit_count):
            w.valueChanged.connect(self._refresh)
        self._set_enabled(False)

    def _set_enabled(self, on: bool) -> None:
        for w in (self.layer, self.direction, self.first_unit, self.unit_count, self.order):
            w.setEnabled(on)

    def show_inside(self, inside) -> None:
        """Show a jobs.InsideView (from a generation or a transcription)."""
        self.inside = inside
        trace = inside.trace
        self.title.setText(self.tr("%1 · %2 steps · %3 layers × %4 units").replace("%1", inside.title).replace(
            "%2", str(trace.steps)).replace("%3", str(len(trace.layers))).replace("%4", str(trace.hidden_size)))
        for w in (self.layer, self.direction, self.first_unit, self.unit_count, self.order):
            w.blockSignals(True)
        self.layer.clear()
        self.layer.addItems([str(i + 1) for i in range(len(trace.layers))])
        self.layer.setCurrentIndex(len(trace.layers) - 1)
        bidirectional = trace.directions == 2
        self.direction.setVisible(bidirectional)
        self.direction_label.setVisible(bidirectional)
        self.direction.setCurrentIndex(0)
        self.first_unit.setRange(0, trace.hidden_size - 1)
        self.unit_count.setRange(1, trace.hidden_size)
        for w in (self.layer, self.direction, self.first_unit, self.unit_count, self.order):
            w.blockSignals(False)
        self._set_enabled(True)
        t0, t1 = float(trace.times[0]), float(trace.times[-1])
        t0 = min(t0, 0.0) if inside.task == "music" else t0
        if inside.task == "music":
            result, index = inside.source
            ref = TakeRef(result, index, datetime.now())
            self.roll.set_notes(ref.roll_notes(), result.seed.voices, ref.take.seed_end)
            self.roll.set_time_range(t0, t1)
            self.aligned.setCurrentWidget(self.roll)
        else:
            self.signal.set_audio(inside.source)
            self.signal.set_time_range(t0, t1 + (trace.times[1] - trace.times[0] if trace.steps > 1 else 0.04))
            self.aligned.setCurrentWidget(self.signal)
        self._refresh()

    def _units(self, layer) -> np.ndarray:
        d = self.direction.currentIndex() if self.inside.trace.directions == 2 else 0
        count = self.unit_count.value()
        if self.order.currentIndex() == 1:  # most active: the cell state's spread over time
            spread = layer.cell[d].std(axis=0)
            return np.sort(np.argsort(-spread)[:count])
        first = self.first_unit.value()
        return np.arange(first, min(first + count, self.inside.trace.hidden_size))

    def _refresh(self) -> None:
        if self.inside is None:
            return
        trace = self.inside.trace
        layer = trace.layers[max(0, self.layer.currentIndex())]
        d = self.direction.currentIndex() if trace.directions == 2 else 0
        units = self._units(layer)
        times = trace.times
        span = (min(float(times[0]), 0.0) if self.inside.task == "music" else float(times[0]), float(times[-1]))
        if self.inside.task == "speech" and trace.steps > 1:
            span = (span[0], span[1] + float(times[1] - times[0]))
        # the seed's last token is read at the moment the seed ends; the continuation comes after it
        boundary = float(times[self.inside.boundary - 1]) if 0 < self.inside.boundary < trace.steps else None
        for name, gate in _ROWS:
            values = layer.get(name)[d][:, units].T  # (units, steps)
            self.heatmaps[name].set_data(values, units, times, self.inside.labels, not gate, span, boundary)
