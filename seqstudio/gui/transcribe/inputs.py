"""Which microphone Record and Live captions listen to: the system's default input or one the user picks, kept in
the settings by the device's id, and followed as devices come and go (a USB microphone plugged in while the app
runs is offered at once)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox

NO_INPUT = "no microphone (audio input device) was found"


def input_devices() -> list:
    """The audio inputs there are now (QAudioDevice)."""
    from PySide6.QtMultimedia import QMediaDevices

    return list(QMediaDevices.audioInputs())


def device_id(device) -> str:
    return bytes(device.id().toHex()).decode()


class InputChoice(QComboBox):
    """The inputs, "System default" first. ``device()`` is the chosen QAudioDevice (None: the default),
    ``problem`` why nothing can be recorded ("" when something can); ``changed`` when either may have."""

    changed = Signal()

    def __init__(self, saved: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QMediaDevices

        self.setToolTip(self.tr("The microphone that Record and Live captions listen to"))
        self._saved = saved  # the id the user chose, kept while that device is away
        self._devices: list = []
        self.problem = ""
        self._watch = QMediaDevices(self)
        self._watch.audioInputsChanged.connect(self.refresh)
        self.activated.connect(self._chosen)
        self.refresh()

    def refresh(self) -> None:
        """Read the inputs again (the system says they changed)."""
        self._devices = input_devices()
        self.problem = "" if self._devices else NO_INPUT
        self.blockSignals(True)
        self.clear()
        self.addItem(self.tr("System default"), "")
        for device in self._devices:
            self.addItem(device.description(), device_id(device))
        index = self.findData(self._saved)
        self.setCurrentIndex(index if index >= 0 else 0)
        self.blockSignals(False)
        self.setVisible(bool(self._devices))
        self.changed.emit()

    def device(self):
        """The chosen input, or None for the system's default (or when the chosen one is unplugged)."""
        wanted = self.currentData() or ""
        return next((d for d in self._devices if device_id(d) == wanted), None) if wanted else None

    def saved(self) -> str:
        return self._saved

    def _chosen(self, _index: int) -> None:
        self._saved = self.currentData() or ""
        self.changed.emit()
