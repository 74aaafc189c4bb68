"""Preferences: language, theme and device."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout

from seqstudio.gui.settings import DEVICES, LANGUAGES, THEMES, Settings


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, gpu_problem: str | None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preferences"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.language = QComboBox()
        for code, text in zip(LANGUAGES, (self.tr("Follow the system"), "English", "简体中文"), strict=True):
            self.language.addItem(text, code)
        self.language.setCurrentIndex(LANGUAGES.index(settings.language))
        form.addRow(self.tr("Language"), self.language)
        self.theme = QComboBox()
        for code, text in zip(THEMES, (self.tr("Follow the system"), self.tr("Light"), self.tr("Dark")), strict=True):
            self.theme.addItem(text, code)
        self.theme.setCurrentIndex(THEMES.index(settings.theme))
        form.addRow(self.tr("Theme"), self.theme)
        self.device = QComboBox()
        for code, text in zip(DEVICES, (self.tr("Automatic (GPU when present)"), self.tr("CPU"), self.tr("GPU (CUDA)")),
                              strict=True):
            self.device.addItem(text, code)
        if gpu_problem:
            item = self.device.model().item(DEVICES.index("cuda"))
            item.setEnabled(False)
            item.setToolTip(gpu_problem)
        self.device.setCurrentIndex(DEVICES.index(settings.device))
        form.addRow(self.tr("Device"), self.device)
        layout.addLayout(form)
        note = QLabel(self.tr("A new language takes effect when SeqStudio starts again."))
        note.setObjectName("hint")
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> dict[str, str]:
        return {"language": self.language.currentData(), "theme": self.theme.currentData(),
                "device": self.device.currentData()}
