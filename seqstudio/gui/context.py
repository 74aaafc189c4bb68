"""What the workspaces share, built once by the composition root: settings, jobs, loaded models, the device."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from seqstudio.gui import jobs
from seqstudio.gui.jobhost import JobHost
from seqstudio.gui.settings import Settings


class AppContext(QObject):
    device_changed = Signal(str)  # "auto", "cpu" or "cuda"
    devices_probed = Signal(object)  # jobs.DeviceInfo
    model_changed = Signal(str)  # task whose model (choice or load state) changed: "music" or "speech"
    inside_ready = Signal(object)  # jobs.InsideView: the LSTM view shows it

    def __init__(self, settings: Settings, host: JobHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.jobs = host
        self.cache = jobs.ModelCache()
        self.device_info: jobs.DeviceInfo | None = None  # None until the probe (on a worker) returns
        self.model_state: dict[str, str] = {"music": "", "speech": ""}  # "", "loading", "ready", or an error

    @property
    def device(self) -> str:
        return self.settings.device

    def set_device(self, device: str) -> None:
        if device != self.settings.device:
            self.settings.device = device
            self.device_changed.emit(device)

    def model(self, task: str) -> str:
        return self.settings.model(task)

    def set_model(self, task: str, folder: str) -> None:
        self.settings.set_model(task, folder)
        self.model_state[task] = ""
        self.model_changed.emit(task)

    def set_model_state(self, task: str, state: str) -> None:
        self.model_state[task] = state
        self.model_changed.emit(task)

    def loaded(self, task: str) -> jobs.LoadedModel | None:
        return self.cache.current(task)
