"""The Compose workspace: pick a seed, set the options, generate in the background, audition the variations,
keep a history of takes, export or drag them out. All music work is a job calling the core."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTemporaryDir, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from seqstudio.core.errors import SeqStudioError
from seqstudio.gui import jobs
from seqstudio.gui.compose.controls import OptionsForm
from seqstudio.gui.compose.piano_roll import PianoRoll, RollNote
from seqstudio.gui.compose.takes import TakeList, TakeRef
from seqstudio.gui.context import AppContext
from seqstudio.gui.jobhost import show_error
from seqstudio.gui.player import AudioPlayer

MIDI_FILTER = "MIDI files (*.mid *.midi)"


class ComposeWorkspace(QWidget):
    seed_loaded = Signal(object)  # jobs.Seed
    generated = Signal(object)  # jobs.ComposeResult
    exported = Signal(list)  # paths written
    job_failed = Signal(str)

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._scratch = QTemporaryDir()
        self._scratch_path = Path(self._scratch.path())
        self._seed: jobs.Seed | None = None
        self._current: TakeRef | None = None
        self._generation = 0
        self._wav_for: tuple | None = None  # (what was rendered, wav path)
        self.player = AudioPlayer(self)
        self.player.position.connect(self._on_position)
        self.player.playing_changed.connect(self._on_playing)
        self.player.error.connect(lambda text: ctx.jobs.message.emit(self.tr("Playback: %1").replace("%1", text)))
        self._build()
        self._fill_seeds()

    # -- layout ---------------------------------------------------------------------------------------------
    def _build(self) -> None:
        style = self.style()
        root = QVBoxLayout(self)

        seed_row = QHBoxLayout()
        seed_row.addWidget(QLabel(self.tr("Seed:")))
        self.seed_combo = QComboBox()
        self.seed_combo.setMinimumWidth(260)
        self.seed_combo.setToolTip(self.tr("A bundled seed, or one you opened recently"))
        self.seed_combo.activated.connect(self._seed_chosen)
        seed_row.addWidget(self.seed_combo)
        self.open_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton),
                                       self.tr("Open MIDI…"))
        self.open_button.setToolTip(self.tr("Open a seed MIDI file (Ctrl+O)"))
        self.open_button.clicked.connect(lambda: self.open_seed_dialog())
        seed_row.addWidget(self.open_button)
        self.seed_info = QLabel()
        self.seed_info.setObjectName("hint")
        seed_row.addWidget(self.seed_info, 1)
        root.addLayout(seed_row)

        body = QSplitter(Qt.Orientation.Horizontal)
        root.addWidget(body, 1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        box = QGroupBox(self.tr("Continuation"))
        box_layout = QVBoxLayout(box)
        self.options = OptionsForm(self.ctx.settings)
        box_layout.addWidget(self.options)
        left_layout.addWidget(box)
        self.generate_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward),
                                           self.tr("&Generate"))
        self.generate_button.setObjectName("primary")
        self.generate_button.setToolTip(self.tr("Continue the seed with the music model (Ctrl+Return)"))
        self.generate_button.clicked.connect(self.generate)
        left_layout.addWidget(self.generate_button)
        self.cancel_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_BrowserStop), self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop the generation (Esc)"))
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        left_layout.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress.setTextVisible(True)
        left_layout.addWidget(self.progress)
        self.inside_button = QPushButton(self.tr("Look inside the LSTM"))
        self.inside_button.setToolTip(self.tr("Show the model's gates and cell states over this take"))
        self.inside_button.setEnabled(False)
        self.inside_button.clicked.connect(self.look_inside)
        left_layout.addWidget(self.inside_button)
        left_layout.addStretch(1)
        exports = QGroupBox(self.tr("Export"))
        ex_layout = QVBoxLayout(exports)
        self.export_midi_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton),
                                              self.tr("Export MIDI…"))
        self.export_midi_button.setToolTip(self.tr("Save the selected take as a MIDI file (Ctrl+E)"))
        self.export_midi_button.clicked.connect(lambda: self.export_midi())
        self.export_wav_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton),
                                             self.tr("Export WAV…"))
        self.export_wav_button.setToolTip(self.tr("Render the selected take to audio (Ctrl+Shift+E)"))
        self.export_wav_button.clicked.connect(lambda: self.export_wav())
        for b in (self.export_midi_button, self.export_wav_button):
            b.setEnabled(False)
            ex_layout.addWidget(b)
        hint = QLabel(self.tr("Tip: drag a take from the lists below into your DAW or file manager."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        ex_layout.addWidget(hint)
        left_layout.addWidget(exports)
        left.setMinimumWidth(270)
        left.setMaximumWidth(360)
        body.addWidget(left)

        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(6, 0, 0, 0)
        bar = QHBoxLayout()
        self.play_button = QToolButton()
        self.play_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setToolTip(self.tr("Play or pause (Space)"))
        self.play_button.clicked.connect(self.toggle_play)
        self.stop_button = QToolButton()
        self.stop_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaStop))
        self.stop_button.setToolTip(self.tr("Stop and go back to the start"))
        self.stop_button.clicked.connect(self.stop)
        bar.addWidget(self.play_button)
        bar.addWidget(self.stop_button)
        self.time_label = QLabel("0:00.0")
        bar.addWidget(self.time_label)
        self.synth_label = QLabel()
        self.synth_label.setObjectName("hint")
        bar.addWidget(self.synth_label)
        bar.addStretch(1)
        fit = self.tr("Fit the whole piece (Ctrl+0)")
        for text, tip, slot in (("−", self.tr("Zoom out (Ctrl+-)"), lambda: self.roll.zoom_by(0.8)),
                                ("+", self.tr("Zoom in (Ctrl++)"), lambda: self.roll.zoom_by(1.25)),
                                (self.tr("Fit"), fit, lambda: self.roll.zoom_fit())):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            bar.addWidget(b)
        centre_layout.addLayout(bar)
        self.roll = PianoRoll()
        self.roll.clear(self.tr("Pick a bundled seed or open a MIDI file to begin."))
        self.roll.seek_requested.connect(self.seek)
        centre_layout.addWidget(self.roll, 1)

        takes = QSplitter(Qt.Orientation.Horizontal)
        var_box = QGroupBox(self.tr("Variations"))
        vl = QVBoxLayout(var_box)
        self.variations = TakeList(self._scratch_path, horizontal=True)
        self.variations.setToolTip(self.tr("Click to audition; drag out as a .mid file"))
        self.variations.currentItemChanged.connect(lambda item, _old: self._select(self.variations.ref(item)))
        vl.addWidget(self.variations)
        hist_box = QGroupBox(self.tr("History"))
        hl = QVBoxLayout(hist_box)
        self.history = TakeList(self._scratch_path, horizontal=False)
        self.history.setToolTip(self.tr("Every take of this session; drag out as a .mid file"))
        self.history.currentItemChanged.connect(lambda item, _old: self._select(self.history.ref(item)))
        hl.addWidget(self.history)
        takes.addWidget(var_box)
        takes.addWidget(hist_box)
        takes.setStretchFactor(0, 3)
        takes.setStretchFactor(1, 1)
        takes.setMaximumHeight(190)
        centre_layout.addWidget(takes)
        body.addWidget(centre)
        body.setStretchFactor(1, 1)

        for keys, slot in ((Qt.Modifier.CTRL | Qt.Key.Key_Return, self.generate), ("Esc", self.cancel),
                           ("Space", self.toggle_play), ("Ctrl+E", lambda: self.export_midi()),
                           ("Ctrl+Shift+E", lambda: self.export_wav()), ("Ctrl++", lambda: self.roll.zoom_by(1.25)),
                           ("Ctrl+=", lambda: self.roll.zoom_by(1.25)), ("Ctrl+-", lambda: self.roll.zoom_by(0.8)),
                           ("Ctrl+0", self.roll.zoom_fit)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def _fill_seeds(self) -> None:
        self.seed_combo.clear()
        self.seed_combo.addItem(self.tr("— choose a seed —"), None)
        for path in jobs.bundled_seeds():
            self.seed_combo.addItem(self.tr("Bundled: %1").replace("%1", path.stem), str(path))
        for path in self.ctx.settings.recent_files("midi"):
            if Path(path).exists() and Path(path).parent != jobs.bundled_seeds()[0].parent:
                self.seed_combo.addItem(Path(path).name, path)

    # -- seed -------------------------------------------------------------------------------------------------
    def _seed_chosen(self, index: int) -> None:
        path = self.seed_combo.itemData(index)
        if path:
            self.open_seed(path)

    def open_seed_dialog(self) -> None:
        start = str(Path(self.ctx.settings.recent_files("midi")[0]).parent) if self.ctx.settings.recent_files(
            "midi") else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a seed MIDI file"), start, self.tr(MIDI_FILTER))
        if path:
            self.open_seed(path)

    def open_seed(self, path: str | Path) -> None:
        self.ctx.jobs.run("open-seed", jobs.open_seed, Path(path), title=self.tr("Cannot open this MIDI file"),
                          on_done=self._on_seed, on_failed=self.job_failed.emit)

    def _on_seed(self, seed: jobs.Seed) -> None:
        self._seed = seed
        self._current = None
        self.stop()
        self.ctx.settings.add_recent_file("midi", seed.path)
        index = self.seed_combo.findData(str(seed.path))
        if index < 0:
            self.seed_combo.addItem(seed.path.name, str(seed.path))
            index = self.seed_combo.count() - 1
        self.seed_combo.setCurrentIndex(index)
        voices = ", ".join(seed.voices)
        self.seed_info.setText(self.tr("%1 · %2 s · %3 notes · %4").replace("%1", seed.path.name)
                               .replace("%2", f"{seed.end_time:.1f}").replace("%3", str(len(seed.notes)))
                               .replace("%4", voices))
        notes = [RollNote(n.track, n.pitch, n.start, n.end, n.velocity, False) for n in seed.notes]
        notes += [RollNote(-1, p, s, e, 90, False) for p, s, e in seed.drums]
        self.roll.set_notes(notes, seed.voices, None)
        self.roll.set_cursor(0.0)
        self._update_buttons()
        self.seed_loaded.emit(seed)

    # -- generate ---------------------------------------------------------------------------------------------
    def generate(self) -> None:
        if self._seed is None:
            show_error(self, self.tr("No seed"), self.tr("Pick a bundled seed or open a MIDI file first."))
            return
        if self.ctx.jobs.busy("compose"):
            return
        try:
            options = self.options.options()
        except SeqStudioError as exc:
            show_error(self, self.tr("Check the options"), str(exc))
            return
        self.options.remember()
        self.stop()
        if self.ctx.loaded("music") is None:
            self.ctx.set_model_state("music", "loading")
        self._job = self.ctx.jobs.run(
            "compose", jobs.compose, self.ctx.cache, self.ctx.model("music"), self.ctx.device, self._seed.path,
            options, title=self.tr("Generation failed"), bar=self.progress, on_done=self._on_generated,
            on_failed=self._on_failed, on_cancelled=self._on_cancelled)
        self._job.finished.connect(self._update_buttons)
        self._update_buttons()

    def cancel(self) -> None:
        self.ctx.jobs.cancel("compose")

    def _on_cancelled(self) -> None:
        if self.ctx.model_state.get("music") == "loading":
            self.ctx.set_model_state("music", "ready" if self.ctx.loaded("music") else "")
        self._update_buttons()

    def _on_failed(self, message: str) -> None:
        if self.ctx.model_state.get("music") == "loading":
            self.ctx.set_model_state("music", "")
        self.job_failed.emit(message)

    def _on_generated(self, result: jobs.ComposeResult) -> None:
        self.ctx.set_model_state("music", "ready")
        self._generation += 1
        self.variations.clear()
        made = datetime.now()
        opts = result.options
        first = None
        for i, take in enumerate(result.takes):
            ref = TakeRef(result, i, made)
            notes = len(take.notes)
            text = self.tr("Take %1 · %2 notes").replace("%1", str(i + 1)).replace("%2", str(notes))
            tip = self.tr("RNG seed %1 · key %2 · T %3 · top-p %4").replace("%1", str(take.rng_seed)).replace(
                "%2", take.key or "—").replace("%3", f"{opts.temperature:g}").replace("%4", f"{opts.top_p:g}")
            if not take.complete:
                tip += "\n" + self.tr("Ended early: the token limit was reached.")
            item = self.variations.add(ref, text, tip)
            first = first or item
            self.history.add(ref, f"{made:%H:%M:%S} · " + self.tr("take %1/%2").replace("%1", str(i + 1)).replace(
                "%2", str(len(result.takes))), f"{result.seed.path.name}\n{tip}")
        self.variations.setCurrentItem(first)
        self.ctx.jobs.message.emit(self.tr("Generated %1 variation(s) with %2.").replace(
            "%1", str(len(result.takes))).replace("%2", result.model.name))
        self.generated.emit(result)

    def _select(self, ref: TakeRef | None) -> None:
        if ref is None or ref is self._current:
            return
        self.stop()
        self._current = ref
        self.roll.set_notes(ref.roll_notes(), ref.result.seed.voices, ref.take.seed_end)
        self.roll.set_cursor(0.0)
        self._update_buttons()

    @property
    def current_take(self) -> TakeRef | None:
        return self._current

    def _update_buttons(self) -> None:
        busy = self.ctx.jobs.busy("compose")
        self.generate_button.setEnabled(not busy and self._seed is not None)
        self.cancel_button.setEnabled(busy)
        has_take = self._current is not None
        for b in (self.export_midi_button, self.export_wav_button, self.inside_button):
            b.setEnabled(has_take)

    # -- export -----------------------------------------------------------------------------------------------
    def _ask_path(self, title: str, suffix: str, filter_: str) -> Path | None:
        recent = self.ctx.settings.recent_files("export")
        folder = Path(recent[0]).parent if recent else Path.home()
        path, _ = QFileDialog.getSaveFileName(self, title, str(folder / f"{self._current.file_stem()}{suffix}"),
                                              filter_)
        return Path(path) if path else None

    def export_midi(self, path: str | Path | None = None) -> None:
        if self._current is None:
            return
        path = Path(path) if path else self._ask_path(self.tr("Export MIDI"), ".mid", self.tr(MIDI_FILTER))
        if path is None:
            return
        self.ctx.settings.add_recent_file("export", path)
        self.ctx.jobs.run("export", jobs.export_takes, [self._current.take], [path],
                          title=self.tr("Export failed"), on_done=self._on_exported, on_failed=self.job_failed.emit)

    def export_wav(self, path: str | Path | None = None) -> None:
        if self._current is None:
            return
        path = Path(path) if path else self._ask_path(self.tr("Export WAV"), ".wav", self.tr("WAV audio (*.wav)"))
        if path is None:
            return
        self.ctx.settings.add_recent_file("export", path)
        self.ctx.jobs.run("export", jobs.render_wav, self._current.take.midi, path, title=self.tr("Export failed"),
                          bar=self.progress, on_done=lambda r: self._on_exported([r[0]]),
                          on_failed=self.job_failed.emit)

    def _on_exported(self, paths: list) -> None:
        self.ctx.jobs.message.emit(self.tr("Wrote %1").replace("%1", ", ".join(str(p) for p in paths)))
        self.exported.emit([Path(p) for p in paths])

    # -- playback ---------------------------------------------------------------------------------------------
    def _what_to_play(self):
        if self._current is not None:
            return ("take", id(self._current)), self._current.take.midi, self._current.file_stem()
        if self._seed is not None:
            return ("seed", str(self._seed.path)), self._seed.path, self._seed.path.stem
        return None, None, None

    def toggle_play(self) -> None:
        if self.player.is_playing:
            self.player.pause()
            return
        key, midi, stem = self._what_to_play()
        if key is None:
            return
        if self._wav_for is not None and self._wav_for[0] == key:
            if self.player.source == self._wav_for[1]:
                self.player.resume()
            else:
                self.player.play(self._wav_for[1], 0.0)
            return
        if self.ctx.jobs.busy("render"):
            return
        wav = self._scratch_path / f"{stem}-{len(str(key))}-{abs(hash(key)) % 10**8}.wav"
        self.ctx.jobs.run("render", jobs.render_wav, midi, wav, title=self.tr("Cannot play"),
                          bar=self.progress, on_done=lambda r: self._on_rendered(key, r))

    def _on_rendered(self, key, result) -> None:
        wav, synth = result
        self._wav_for = (key, wav)
        self.synth_label.setText(self.tr("via %1").replace("%1", synth))
        if self._what_to_play()[0] == key:
            self.player.play(wav, 0.0)

    def stop(self) -> None:
        self.player.stop()
        self.roll.set_cursor(0.0, follow=False)

    def seek(self, seconds: float) -> None:
        self.roll.set_cursor(seconds)
        self.player.seek(seconds)

    def _on_position(self, seconds: float) -> None:
        self.roll.set_cursor(seconds)
        self.time_label.setText(f"{int(seconds // 60)}:{seconds % 60:04.1f}")

    def _on_playing(self, playing: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))

    # -- inside the LSTM --------------------------------------------------------------------------------------
    def look_inside(self) -> None:
        ref = self._current
        if ref is None:
            return
        self.ctx.jobs.run("inside", jobs.trace_take, self.ctx.cache, self.ctx.model("music"), self.ctx.device,
                          ref.result, ref.index, title=self.tr("Cannot look inside the LSTM"), bar=self.progress,
                          on_done=self.ctx.inside_ready.emit)

    def shutdown(self) -> None:
        self.player.release()
