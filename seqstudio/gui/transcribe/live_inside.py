"""The streaming LSTM's insides while it listens: for a chosen layer, the input and forget gates and the cell
state of its first units over the last seconds, scrolling as the words arrive. These are the live run's own
values: the recogniser replays each piece's LSTM from the state the piece started in
(``StreamingRecognizer(trace=True)``), and the tests check that they are the whole recording's trace."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from seqstudio.gui.lstm.heatmap import Heatmap

WINDOW_S = 8.0  # seconds shown
UNITS = 64  # the first units of the layer (a unit per row)
SHOWN = (("input", False), ("forget", False), ("cell", True))  # activation, signed


class LiveInsideView(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.title = QLabel()
        self.title.setWordWrap(True)
        bar.addWidget(self.title, 1)
        bar.addWidget(QLabel(self.tr("Layer")))
        self.layer = QComboBox()
        self.layer.setToolTip(self.tr("Which layer of the streaming LSTM to watch"))
        self.layer.currentIndexChanged.connect(lambda _i: self._render())
        bar.addWidget(self.layer)
        layout.addLayout(bar)
        names = {"input": self.tr("Input gate"), "forget": self.tr("Forget gate"), "cell": self.tr("Cell state")}
        self.maps = {name: Heatmap(names[name]) for name, _ in SHOWN}
        for heatmap in self.maps.values():
            layout.addWidget(heatmap, 1)
        self._pieces: list = []  # LSTMTrace per update, covering the last WINDOW_S
        self.start()

    def start(self) -> None:
        """A new session: nothing heard yet."""
        self._pieces = []
        self.title.setText(self.tr("Listening live. Inside the streaming LSTM as it hears you: the gates and "
                                   "cell state of its first %1 units over the last %2 s.").replace(
            "%1", str(UNITS)).replace("%2", f"{WINDOW_S:g}"))
        for heatmap in self.maps.values():
            heatmap.clear()

    def add(self, trace) -> None:
        """Append one update's :class:`~seqstudio.nn.inspect.LSTMTrace` and scroll."""
        if trace is None or trace.steps == 0:
            return
        if self.layer.count() != len(trace.layers):
            self.layer.blockSignals(True)
            self.layer.clear()
            self.layer.addItems([str(k + 1) for k in range(len(trace.layers))])
            self.layer.setCurrentIndex(len(trace.layers) - 1)  # the last: nearest the letters
            self.layer.blockSignals(False)
        self._pieces.append(trace)
        end = float(trace.times[-1])
        while len(self._pieces) > 1 and float(self._pieces[1].times[0]) < end - WINDOW_S:
            self._pieces.pop(0)
        self._render()

    def values(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(times (steps,), values (units, steps)) of ``name`` in the chosen layer over the window kept."""
        layer = max(0, self.layer.currentIndex())
        times = np.concatenate([p.times for p in self._pieces]) if self._pieces else np.zeros(0)
        if not self._pieces:
            return times, np.zeros((0, 0), dtype=np.float32)
        values = np.concatenate([p.layers[layer].get(name)[0, :, :UNITS] for p in self._pieces], axis=0)
        return times, values.T

    def _render(self) -> None:
        if not self._pieces:
            return
        end = float(self._pieces[-1].times[-1])
        window = (end - WINDOW_S, end)
        for name, signed in SHOWN:
            times, values = self.values(name)
            units = np.arange(values.shape[0])
            # a column of no values before the first step: where nothing was heard yet, the background shows
            values = np.concatenate([np.full((len(units), 1), np.nan, dtype=np.float32), values], axis=1)
            times = np.concatenate([[min(window[0], times[0]) - 1.0], times])
            self.maps[name].set_data(values, units, times, [""] + [f"{t:.2f} s" for t in times[1:]], signed, window)
