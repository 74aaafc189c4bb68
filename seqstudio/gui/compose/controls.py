"""The generation options form: every GenerateOptions field a musician would touch, remembered in settings."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QSpinBox, QWidget

from seqstudio.gui.settings import Settings
from seqstudio.music.options import GenerateOptions


class OptionsForm(QWidget):
    changed = Signal()

    def __init__(self, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self._settings = settings
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.seconds = self._double(1, 120, 1, 1, settings.compose_value("seconds", 15.0), " s")
        self.seconds.setToolTip(self.tr("How long the continuation lasts, in seconds"))
        form.addRow(self.tr("&Length"), self.seconds)

        self.temperature = self._double(0, 2, 0.05, 2, settings.compose_value("temperature", 0.9), "")
        self.temperature.setToolTip(self.tr("Higher is more adventurous; 0 always picks the most likely event"))
        form.addRow(self.tr("&Temperature"), self.temperature)

        self.top_p = self._double(0.05, 1, 0.01, 2, settings.compose_value("top_p", 0.95), "")
        self.top_p.setToolTip(self.tr("Sample only from the most likely events that together hold this much "
                                      "probability (1 = off)"))
        form.addRow(self.tr("Top-&p"), self.top_p)

        self.variations = QSpinBox()
        self.variations.setRange(1, 8)
        self.variations.setValue(settings.compose_value("variations", 3))
        self.variations.setToolTip(self.tr("How many continuations to write at once, to compare side by side"))
        form.addRow(self.tr("&Variations"), self.variations)

        seed_row = QHBoxLayout()
        self.random_seed = QCheckBox(self.tr("Random"))
        self.random_seed.setChecked(settings.compose_value("random_seed", True))
        self.random_seed.setToolTip(self.tr("A fresh RNG seed each time; untick to repeat a take exactly"))
        self.rng_seed = QSpinBox()
        self.rng_seed.setRange(0, 2_000_000_000)
        self.rng_seed.setValue(settings.compose_value("rng_seed", 7))
        self.rng_seed.setToolTip(self.tr("The same seed, model and options give the same notes"))
        self.random_seed.toggled.connect(lambda on: self.rng_seed.setEnabled(not on))
        self.rng_seed.setEnabled(not self.random_seed.isChecked())
        seed_row.addWidget(self.rng_seed, 1)
        seed_row.addWidget(self.random_seed)
        form.addRow(self.tr("RNG seed"), seed_row)

        self.key_lock = QCheckBox(self.tr("Keep the seed's key"))
        self.key_lock.setChecked(settings.compose_value("key_lock", False))
        self.key_lock.setToolTip(self.tr("New notes stay in the key estimated from the seed"))
        form.addRow(self.tr("&Key lock"), self.key_lock)

        density_row = QHBoxLayout()
        self.use_density = QCheckBox(self.tr("Steer"))
        self.use_density.setChecked(settings.compose_value("use_density", False))
        self.density = self._double(0.5, 30, 0.5, 1, settings.compose_value("density", 6.0), self.tr(" notes/s"))
        self.density.setToolTip(self.tr("Steer towards this many new notes per second"))
        self.use_density.toggled.connect(self.density.setEnabled)
        self.density.setEnabled(self.use_density.isChecked())
        density_row.addWidget(self.density, 1)
        density_row.addWidget(self.use_density)
        form.addRow(self.tr("Density"), density_row)

    def _double(self, lo: float, hi: float, step: float, decimals: int, value: float, suffix: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(lo, hi)
        box.setSingleStep(step)
        box.setDecimals(decimals)
        box.setValue(value)
        box.setSuffix(suffix)
        box.valueChanged.connect(self.changed)
        return box

    def options(self) -> GenerateOptions:
        opts = GenerateOptions(
            seconds=self.seconds.value(),
            temperature=self.temperature.value(),
            top_p=self.top_p.value(),
            variations=self.variations.value(),
            rng_seed=None if self.random_seed.isChecked() else self.rng_seed.value(),
            key_lock=self.key_lock.isChecked(),
            density=self.density.value() if self.use_density.isChecked() else None,
        )
        opts.validate()
        return opts

    def remember(self) -> None:
        s = self._settings
        for name, value in (("seconds", self.seconds.value()), ("temperature", self.temperature.value()),
                            ("top_p", self.top_p.value()), ("variations", self.variations.value()),
                            ("random_seed", self.random_seed.isChecked()), ("rng_seed", self.rng_seed.value()),
                            ("key_lock", self.key_lock.isChecked()), ("use_density", self.use_density.isChecked()),
                            ("density", self.density.value())):
            s.set_compose_value(name, value)
