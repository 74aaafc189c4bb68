"""The main window: three workspaces in tabs, menus and shortcuts, the device choice, and a status bar that
says which model runs where. It starts the background start-up jobs once it is on screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QStyle,
    QTabWidget,
    QToolBar,
    QWidget,
)

from seqstudio import __version__
from seqstudio.gui import jobs, theme
from seqstudio.gui.compose.workspace import ComposeWorkspace
from seqstudio.gui.context import AppContext
from seqstudio.gui.jobhost import JobHost
from seqstudio.gui.lstm.view import InsideWorkspace
from seqstudio.gui.settings import DEVICES, Settings
from seqstudio.gui.settings_dialog import SettingsDialog
from seqstudio.gui.transcribe.workspace import TranscribeWorkspace

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "USER_GUIDE.md"


class MainWindow(QMainWindow):
    SHUTDOWN_MS = 30_000  # how long closing waits for jobs to stop before it lets the window live on

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._close_retry = QTimer(self)  # while a job has not stopped yet: keep cancelling, close when done
        self._close_retry.setObjectName("close-retry")
        self._close_retry.setInterval(200)
        self._close_retry.timeout.connect(self._retry_close)
        self.setWindowTitle("SeqStudio")
        self.setMinimumSize(980, 640)
        self.host = JobHost(self)
        self.ctx = AppContext(settings, self.host, self)
        self.compose = ComposeWorkspace(self.ctx)
        self.transcribe = TranscribeWorkspace(self.ctx)
        self.inside = InsideWorkspace(self.ctx)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        style = self.style()
        self.tabs.addTab(self.compose, style.standardIcon(QStyle.StandardPixmap.SP_MediaVolume), self.tr("Compose"))
        self.tabs.addTab(self.transcribe, style.standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView),
                         self.tr("Transcribe"))
        self.tabs.addTab(self.inside, style.standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView),
                         self.tr("Inside the LSTM"))
        self.setCentralWidget(self.tabs)
        self.ctx.inside_ready.connect(lambda _v: self.tabs.setCurrentWidget(self.inside))
        self._build_toolbar()
        self._build_menus()
        self._build_status()
        self.host.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.ctx.model_changed.connect(lambda _task: self._update_status())
        self.ctx.device_changed.connect(self._on_device_changed)
        geometry = settings.geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)

    # -- chrome -----------------------------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = QToolBar(self.tr("Device"))
        bar.setObjectName("device-toolbar")
        bar.setMovable(False)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addWidget(QLabel(self.tr("Device: ")))
        self.device_combo = QComboBox()
        for code, text in zip(DEVICES, (self.tr("Auto"), self.tr("CPU"), self.tr("GPU (CUDA)")), strict=True):
            self.device_combo.addItem(text, code)
        self.device_combo.setCurrentIndex(DEVICES.index(self.ctx.device))
        self.device_combo.setToolTip(self.tr("Where the models run; Auto uses a GPU when there is one"))
        gpu = self.device_combo.model().item(DEVICES.index("cuda"))
        gpu.setEnabled(False)
        gpu.setToolTip(self.tr("Checking for a GPU…"))
        self.device_combo.currentIndexChanged.connect(lambda i: self.ctx.set_device(self.device_combo.itemData(i)))
        bar.addWidget(self.device_combo)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def _action(self, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu(self.tr("&File"))
        self._action(file_menu, self.tr("&Open seed MIDI…"), self._open_seed, QKeySequence.StandardKey.Open,
                     self.tr("Open a MIDI file to continue"))
        self._action(file_menu, self.tr("&Add audio files…"), self._add_audio, "Ctrl+Shift+O",
                     self.tr("Add audio files to the transcription queue"))
        self.recent_menu = file_menu.addMenu(self.tr("Open &recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        self._action(file_menu, self.tr("Load &music model…"), lambda: self._load_model_folder("music"),
                     tip=self.tr("Use another music model folder"))
        self._action(file_menu, self.tr("Load &speech model…"), lambda: self._load_model_folder("speech"),
                     tip=self.tr("Use a speech model folder"))
        self._action(file_menu, self.tr("Use the &default models"), self._default_models)
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Preferences…"), self.open_settings, QKeySequence.StandardKey.Preferences)
        self._action(file_menu, self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        view = menu.addMenu(self.tr("&View"))
        for i, text in enumerate((self.tr("&Compose"), self.tr("&Transcribe"), self.tr("&Inside the LSTM"))):
            self._action(view, text, lambda _=False, i=i: self.tabs.setCurrentIndex(i), f"Ctrl+{i + 1}")
        view.addSeparator()
        self._action(view, self.tr("&Light theme"), lambda: self._set_theme("light"))
        self._action(view, self.tr("&Dark theme"), lambda: self._set_theme("dark"))
        help_menu = menu.addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("&User guide"), self._guide, QKeySequence.StandardKey.HelpContents)
        self._action(help_menu, self.tr("&About SeqStudio"), self._about)

    def _build_status(self) -> None:
        self.music_label = QLabel()
        self.speech_label = QLabel()
        self.device_label = QLabel()
        for w in (self.music_label, self.speech_label, self.device_label):
            w.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(w)
        self._update_status()

    def _model_text(self, task: str) -> str:
        loaded = self.ctx.loaded(task)
        state = self.ctx.model_state.get(task, "")
        chosen = self.ctx.model(task)
        name = Path(chosen).name if chosen != "default" else f"{task}-default"
        if task == "speech" and (problem := jobs.speech_model_missing(chosen)):
            return self.tr("Speech: none (%1)").replace("%1", self.tr("not trained yet") if chosen == "default"
                                                         else problem)
        if loaded is not None and state != "loading":
            return f"{name} · {loaded.summary} · {loaded.device}"
        if state == "loading":
            return self.tr("%1 (loading…)").replace("%1", name)
        return self.tr("%1 (not loaded)").replace("%1", name) if not state or state == "ready" else \
            self.tr("%1 (failed)").replace("%1", name)

    def _update_status(self) -> None:
        self.music_label.setText(self.tr("Music: %1").replace("%1", self._model_text("music")))
        self.speech_label.setText(self._model_text("speech") if jobs.speech_model_missing(self.ctx.model("speech"))
                                  else self.tr("Speech: %1").replace("%1", self._model_text("speech")))
        info = self.ctx.device_info
        device = {"auto": self.tr("auto"), "cpu": "CPU", "cuda": "GPU"}[self.ctx.device]
        if info is not None:
            device += f" ({info.names[0]})" if info.cuda else self.tr(" · no GPU")
        self.device_label.setText(self.tr("Device: %1").replace("%1", device))

    # -- start-up in the background ---------------------------------------------------------------------------
    def start_background(self) -> None:
        """After the window is up: look for GPUs and load the music model, both on workers."""
        self.host.run("probe-devices", jobs.probe_devices, title=self.tr("Device check failed"),
                      on_done=self._on_devices, quiet=True)
        self.preload("music")

    def preload(self, task: str) -> None:
        if task == "speech" and jobs.speech_model_missing(self.ctx.model("speech")):
            self._update_status()
            return
        self.ctx.set_model_state(task, "loading")
        self.host.run(f"load-{task}", jobs.load_model, self.ctx.cache, task, self.ctx.model(task), self.ctx.device,
                      title=self.tr("Cannot load the %1 model").replace("%1", task),
                      on_done=lambda _m, t=task: self.ctx.set_model_state(t, "ready"),
                      on_failed=lambda msg, t=task: self.ctx.set_model_state(t, msg or "failed"))

    def _on_devices(self, info: jobs.DeviceInfo) -> None:
        self.ctx.device_info = info
        gpu = self.device_combo.model().item(DEVICES.index("cuda"))
        gpu.setEnabled(info.cuda)
        gpu.setToolTip(", ".join(info.names) if info.cuda else self.tr("No GPU: %1").replace("%1", info.reason))
        if not info.cuda and self.ctx.device == "cuda":
            self.device_combo.setCurrentIndex(DEVICES.index("cpu"))
        self.ctx.devices_probed.emit(info)
        self._update_status()

    def _on_device_changed(self, device: str) -> None:
        self.device_combo.blockSignals(True)
        self.device_combo.setCurrentIndex(DEVICES.index(device))
        self.device_combo.blockSignals(False)
        self._update_status()
        self.preload("music")

    # -- actions ----------------------------------------------------------------------------------------------
    def _open_seed(self) -> None:
        self.tabs.setCurrentWidget(self.compose)
        self.compose.open_seed_dialog()

    def _add_audio(self) -> None:
        self.tabs.setCurrentWidget(self.transcribe)
        self.transcribe.add_files_dialog()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for kind, opener in (("midi", self.compose.open_seed), ("audio", lambda p: self.transcribe.add_files([p]))):
            for path in self.ctx.settings.recent_files(kind):
                action = self.recent_menu.addAction(path)
                action.triggered.connect(lambda _=False, p=path, o=opener, k=kind: self._open_recent(k, p, o))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction(self.tr("(none yet)")).setEnabled(False)

    def _open_recent(self, kind: str, path: str, opener) -> None:
        self.tabs.setCurrentWidget(self.compose if kind == "midi" else self.transcribe)
        opener(path)

    def _load_model_folder(self, task: str) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a %1 model folder").replace("%1", task),
                                                  str(Path.home()))
        if folder:
            self.load_model_folder(task, folder)

    def load_model_folder(self, task: str, folder: str) -> None:
        self.ctx.set_model(task, folder)
        self.preload(task)

    def _default_models(self) -> None:
        for task in ("music", "speech"):
            self.ctx.set_model(task, "default")
        self.preload("music")

    def open_settings(self) -> None:
        info = self.ctx.device_info
        problem = None if info is not None and info.cuda else (info.reason if info else self.tr("still checking"))
        dialog = SettingsDialog(self.ctx.settings, problem, self)
        if dialog.exec():
            values = dialog.values()
            language_changed = values["language"] != self.ctx.settings.language
            self.ctx.settings.language = values["language"]
            self._set_theme(values["theme"])
            self.ctx.set_device(values["device"])
            if language_changed:
                self.statusBar().showMessage(self.tr("The new language takes effect at the next start."), 8000)

    def _set_theme(self, name: str) -> None:
        self.ctx.settings.theme = name
        theme.apply(QApplication.instance(), name)
        for w in self.findChildren(QWidget):
            w.update()

    def _guide(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(GUIDE)))

    def _about(self) -> None:
        QMessageBox.about(self, self.tr("About SeqStudio"), self.tr(
            "<b>SeqStudio %1</b><p>Stacked LSTMs that compose music and transcribe speech, offline, on your CPU "
            "or GPU.</p>").replace("%1", __version__))

    # -- closing ----------------------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Cancel running jobs and wait for them (cooperatively; never terminating a thread)."""
        self.ctx.settings.geometry = self.saveGeometry()
        self.ctx.settings.sync()
        self.compose.shutdown()
        self.transcribe.shutdown()
        if self.host.jobs:
            self.statusBar().showMessage(self.tr("Stopping…"))
            QApplication.processEvents()
        if not self.host.shutdown(self.SHUTDOWN_MS):
            # a job has not reached a cancellation point: closing now would destroy a running QThread
            event.ignore()
            names = ", ".join(sorted({job.name for job in self.host.jobs if job.is_running}))
            self.statusBar().showMessage(self.tr("Waiting for %1 to stop…").replace("%1", names))
            self._close_retry.start()
            return
        self._close_retry.stop()
        QApplication.processEvents()  # deliver the jobs' last signals while the widgets still exist
        self.statusBar().clearMessage()  # and stop its timeout timer
        super().closeEvent(event)

    def _retry_close(self) -> None:
        self.host.cancel()
        if not any(job.is_running for job in self.host.jobs):
            self._close_retry.stop()
            self.close()
