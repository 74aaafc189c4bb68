"""The streaming LSTM's insides while it listens: for a chosen layer, the input and forget gates and the cell
state of 64 of its units over the last seconds, scrolling as the words arrive: those whose cell state has varied
most since the session began (as the Inside view's "most active first"), or the first 64. These are the live run's own
values: the recogniser replays each piece's LSTM from the state the piece started in
(``StreamingRecognizer(trace=True)``), and the tests check that they are the whole recording's trace."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from seqstudio.gui.lstm.heatmap import Heatmap

WINDOW_S = 8.0  # seconds shown
UNITS = 64  # units shown (a unit per row)
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
        self.order = QComboBox()
        self.order.addItems([self.tr("most active first"), self.tr("in order")])
        self.order.setToolTip(self.tr("The units whose cell state has varied most since you started, or the first "
                                      "ones"))
        self.order.currentIndexChanged.connect(lambda _i: self._render())
        bar.addWidget(self.order)
        layout.addLayout(bar)
        names = {"input": self.tr("Input gate"), "forget": self.tr("Forget gate"), "cell": self.tr("Cell state")}
        self.maps = {name: Heatmap(names[name]) for name, _ in SHOWN}
        for heatmap in self.maps.values():
            layout.addWidget(heatmap, 1)
        self._pieces: list = []  # LSTMTrace per update, covering the last WINDOW_S
        self._steps = 0  # heard since the session began
        self._sums: np.ndarray | None = None  # (2, layers, hidden): each cell's sum and sum of squares over them
        self.start()

    def start(self) -> None:
        """A new session: nothing heard yet."""
        self._pieces, self._steps, self._sums = [], 0, None
        self.title.setText(self.tr("Listening live. Inside the streaming LSTM as it hears you: the gates and "
                                   "cell state of %1 of its units over the last %2 s.").replace(
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
        cells = np.stack([layer.cell[0] for layer in trace.layers]).astype(np.float64)  # (layers, steps, hidden)
        sums = np.stack([cells.sum(axis=1), (cells**2).sum(axis=1)])
        self._sums = sums if self._sums is None else self._sums + sums
        self._steps += cells.shape[1]
        end = float(trace.times[-1])
        while len(self._pieces) > 1 and float(self._pieces[1].times[0]) < end - WINDOW_S:
            self._pieces.pop(0)
        self._render()

    def units(self) -> np.ndarray:
        """The units shown, in order: the most active (the cell state's spread over the session so far) or the
        first ones."""
        layer = max(0, self.layer.currentIndex())
        if self._sums is None:
            return np.zeros(0, dtype=int)
        if self.order.currentIndex() == 1:
            return np.arange(min(UNITS, self._sums.shape[2]))
        mean, squares = self._sums[:, layer] / self._steps
        spread = np.sqrt(np.maximum(squares - mean**2, 0.0))
        return np.sort(np.argsort(-spread, kind="stable")[:UNITS])

    def values(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(times (steps,), units (rows,), values (rows, steps)) of ``name`` in the chosen layer, over the window
        kept."""
        layer = max(0, self.layer.currentIndex())
        units = self.units()
        if not self._pieces:
            return np.zeros(0), units, np.zeros((len(units), 0), dtype=np.float32)
        times = np.concatenate([p.times for p in self._pieces])
        values = np.concatenate([p.layers[layer].get(name)[0][:, units] for p in self._pieces], axis=0)
        return times, units, values.T

    def _render(self) -> None:
        if not self._pieces:
            return
        end = float(self._pieces[-1].times[-1])
        window = (end - WINDOW_S, end)
        for name, signed in SHOWN:
            times, units, values = self.values(name)
            # a column of no values before the first step: where nothing was heard yet, the background shows
            values = np.concatenate([np.full((len(units), 1), np.nan, dtype=np.float32), values], axis=1)
            times = np.concatenate([[min(window[0], times[0]) - 1.0], times])
            self.maps[name].set_data(values, units, times, [""] + [f"{t:.2f} s" for t in times[1:]], signed, window)
