"""The Transcribe workspace: a queue of files, waveform and spectrogram with playback, the transcript as
clickable, editable segments, export, recording from a microphone where there is one, and live captions from
it with the streaming model (the session's recording and words then join the queue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from seqstudio.core.errors import SeqStudioError
from seqstudio.gui import jobs
from seqstudio.gui.context import AppContext
from seqstudio.gui.jobhost import show_error
from seqstudio.gui.player import AudioPlayer
from seqstudio.gui.transcribe.caption_view import CaptionView
from seqstudio.gui.transcribe.file_queue import FileQueue, QueueEntry
from seqstudio.gui.transcribe.inputs import InputChoice
from seqstudio.gui.transcribe.live import (
    LiveFeed,
    Microphone,
    recording_path,
    recordings_folder,
    run_live,
)
from seqstudio.gui.transcribe.live_inside import LiveInsideView
from seqstudio.gui.transcribe.recorder import Recorder
from seqstudio.gui.transcribe.signal_view import SignalView
from seqstudio.gui.transcribe.transcript_view import TranscriptView, clock

AUDIO_FILTER = "Audio (*.wav *.flac *.ogg *.opus *.mp3 *.m4a *.aac *.aif *.aiff *.webm);;All files (*)"
FORMATS = ("txt", "srt", "vtt", "json")
KEEP_VIEWS = 2  # entries whose samples and mel stay in memory: the current one and the one shown before


@dataclass(eq=False)
class _LiveSession:
    """One run of live captions: where its audio comes from, the feed and job, and where it records."""

    source: object  # Microphone, or a stand-in with its interface
    feed: LiveFeed
    owned: bool  # the workspace made the source (the microphone) and disposes of it
    path: Path  # the recording
    job: object | None = None  # the worker's Job once started
    stopping: bool = False  # stop asked: the worker is hearing what arrived
    entry: QueueEntry | None = None  # the finished session in the queue

    def release(self) -> None:
        """Dispose of what the workspace made, and let go of the rest. The job's signals hold this session, so
        keeping the job and the source here would make a reference cycle of Qt objects: the garbage collector
        may break such a cycle on any thread, and a QObject (the source's timer) deleted off its own thread
        crashes the app."""
        if self.owned:
            self.source.deleteLater()
        self.feed.deleteLater()
        self.source = self.feed = self.job = None


class TranscribeWorkspace(QWidget):
    audio_loaded = Signal(object)  # QueueEntry
    transcribed = Signal(object)  # QueueEntry
    live_finished = Signal(object)  # QueueEntry: a live session's recording and words, in the queue
    exported = Signal(str)
    job_failed = Signal(str)

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._running: QueueEntry | None = None
        self._audio_jobs: dict[QueueEntry, object] = {}  # the open-audio job per entry still loading
        self._views: list[QueueEntry] = []  # entries holding audio, most recently shown last
        self._closing = False
        self._live: _LiveSession | None = None  # while live captions run
        self._sizes: list[int] = []  # the splitter's sizes before live captions took it over
        self.player = AudioPlayer(self)
        self.player.position.connect(self._on_position)
        self.player.playing_changed.connect(self._on_playing)
        self.recorder = Recorder(self)
        self.recorder.recorded.connect(self._on_recorded)
        self.recorder.error.connect(lambda text: show_error(self, self.tr("Recording failed"), text))
        self._build()
        self.input_choice.changed.connect(self._on_inputs_changed)
        ctx.model_changed.connect(lambda task: task == "speech" and self._update_model_banner())
        self._update_model_banner()
        self._update_buttons()

    # -- layout ---------------------------------------------------------------------------------------------
    def _build(self) -> None:
        style = self.style()
        root = QVBoxLayout(self)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        root.addWidget(self.banner)

        split = QSplitter(Qt.Orientation.Horizontal)
        root.addWidget(split, 1)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 6, 0)
        row = QHBoxLayout()
        self.add_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton),
                                      self.tr("Add files…"))
        self.add_button.setToolTip(self.tr("Add audio files to the queue (Ctrl+Shift+O)"))
        self.add_button.clicked.connect(lambda: self.add_files_dialog())
        self.remove_button = QToolButton()
        self.remove_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_TrashIcon))
        self.remove_button.setToolTip(self.tr("Remove the selected file from the queue (Delete)"))
        self.remove_button.clicked.connect(self.remove_current)
        row.addWidget(self.add_button, 1)
        row.addWidget(self.remove_button)
        ll.addLayout(row)
        self.input_choice = InputChoice(self.ctx.settings.audio_input)
        ll.addWidget(self.input_choice)
        self.record_button = QPushButton(self.tr("● Record"))
        self.record_button.clicked.connect(self.toggle_record)
        ll.addWidget(self.record_button)
        self.live_button = QPushButton(self.tr("◉ Live captions"))
        self.live_button.clicked.connect(lambda: self.toggle_live())
        ll.addWidget(self.live_button)
        self.mic_hint = QLabel()
        self.mic_hint.setObjectName("hint")
        self.mic_hint.setWordWrap(True)
        ll.addWidget(self.mic_hint)
        self.queue = FileQueue()
        self.queue.files_dropped.connect(self.add_files)
        self.queue.currentItemChanged.connect(lambda item, _old: self._show_entry(self.queue.entry(item)))
        ll.addWidget(self.queue, 1)
        self.transcribe_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward),
                                             self.tr("&Transcribe"))
        self.transcribe_button.setObjectName("primary")
        self.transcribe_button.clicked.connect(self.transcribe_all)
        ll.addWidget(self.transcribe_button)
        self.cancel_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_BrowserStop), self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop transcribing (Esc)"))
        self.cancel_button.clicked.connect(self.cancel)
        ll.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        ll.addWidget(self.progress)
        left.setMinimumWidth(250)
        left.setMaximumWidth(360)
        split.addWidget(left)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(6, 0, 0, 0)
        bar = QHBoxLayout()
        self.play_button = QToolButton()
        self.play_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setToolTip(self.tr("Play or pause (Space)"))
        self.play_button.clicked.connect(self.toggle_play)
        bar.addWidget(self.play_button)
        self.time_label = QLabel("0:00.0")
        bar.addWidget(self.time_label)
        self.file_label = QLabel()
        self.file_label.setObjectName("hint")
        bar.addWidget(self.file_label, 1)
        self.inside_button = QPushButton(self.tr("Look inside the LSTM"))
        self.inside_button.setToolTip(self.tr("Show the speech model's gates and cell states over this file"))
        self.inside_button.clicked.connect(self.look_inside)
        bar.addWidget(self.inside_button)
        rl.addLayout(bar)
        self.vsplit = vsplit = QSplitter(Qt.Orientation.Vertical)
        self.signal = SignalView()
        self.signal.clear(self.tr("Add or drop audio files to begin. You can view and play them even without a "
                                  "speech model."))
        self.signal.seek_requested.connect(self.seek)
        self.live_inside = LiveInsideView()
        self.top = QStackedWidget()  # the file's signal, or while live captions run, the LSTM listening
        self.top.addWidget(self.signal)
        self.top.addWidget(self.live_inside)
        vsplit.addWidget(self.top)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        self.caption = CaptionView()
        self.caption.setVisible(False)
        bl.addWidget(self.caption, 1)
        self.transcript = TranscriptView()
        self.transcript.seek_requested.connect(self.seek)
        bl.addWidget(self.transcript, 1)
        ex = QHBoxLayout()
        self.text_label = QLabel()
        self.text_label.setObjectName("hint")
        ex.addWidget(self.text_label, 1)
        self.format = QComboBox()
        self.format.addItems([f.upper() for f in FORMATS])
        self.format.setToolTip(self.tr("Plain text, SubRip subtitles, WebVTT subtitles or JSON with word times"))
        ex.addWidget(self.format)
        self.export_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton),
                                         self.tr("Export…"))
        self.export_button.setToolTip(self.tr("Save the transcript, with your edits (Ctrl+E)"))
        self.export_button.clicked.connect(lambda: self.export())
        ex.addWidget(self.export_button)
        bl.addLayout(ex)
        vsplit.addWidget(bottom)
        vsplit.setSizes([260, 340])
        rl.addWidget(vsplit, 1)
        split.addWidget(right)
        split.setStretchFactor(1, 1)

        for keys, slot in (("Space", self.toggle_play), ("Esc", self.cancel), ("Ctrl+E", lambda: self.export()),
                           ("Delete", self.remove_current), ("Ctrl+Return", self.transcribe_all)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # -- model state ------------------------------------------------------------------------------------------
    def model_problem(self) -> str | None:
        return jobs.speech_model_missing(self.ctx.model("speech"))

    def _update_model_banner(self) -> None:
        problem = self.model_problem()
        if problem:
            self.banner.setText(self.tr("No speech model: %1. Load a trained speech model folder with "
                                        "File ▸ Load speech model… to transcribe. Opening, viewing and playing "
                                        "audio work without one.").replace("%1", problem))
        self.banner.setVisible(bool(problem))
        self._update_buttons()

    def _update_buttons(self) -> None:
        problem = self.model_problem()
        busy = self._running is not None
        waiting = any(e.status in ("waiting", "failed", "cancelled") for e in self.queue.entries())
        self.transcribe_button.setEnabled(not problem and not busy and waiting)
        self.transcribe_button.setToolTip(self.tr("Transcribe every waiting file (Ctrl+Return)") if not problem
                                          else self.tr("Needs a speech model: %1").replace("%1", problem))
        self.cancel_button.setEnabled(busy)
        entry = self.queue.current_entry()
        live = self._live is not None  # the captions hide the entry's view: nothing acts on it meanwhile
        self.export_button.setEnabled(not live and entry is not None and entry.segments is not None)
        model_problem = jobs.streaming_model_missing() if entry is not None and entry.live else problem
        self.inside_button.setEnabled(not live and not model_problem and entry is not None and entry.audio is not None)
        self.play_button.setEnabled(not live)  # it would play into the microphone being captioned
        if live:  # a transcription would share the progress bar, and the CPU
            self.transcribe_button.setEnabled(False)
        self.remove_button.setEnabled(entry is not None and entry is not self._running)
        self.record_button.setEnabled(not self._mic_problem and not live)
        unavailable = self.tr("Recording is unavailable: %1").replace("%1", self._mic_problem)
        self.record_button.setToolTip(unavailable if self._mic_problem else
                                      self.tr("Record from the microphone, then transcribe the recording"))
        self.mic_hint.setText(unavailable)
        self.mic_hint.setVisible(bool(self._mic_problem))
        self.input_choice.setEnabled(not live and not self.recorder.is_recording)
        live_problem = self.live_problem()
        if live:  # listening: it can be stopped, whatever the source; finishing: wait
            self.live_button.setEnabled(not self._live.stopping)
        else:
            self.live_button.setEnabled(not live_problem and not self.recorder.is_recording)
        if self._live is None:
            self.live_button.setToolTip(self.tr("Live captions are unavailable: %1").replace("%1", live_problem)
                                        if live_problem else
                                        self.tr("Caption the microphone as you speak, with the streaming model; "
                                                "the recording and its words then join the queue"))

    # -- queue ------------------------------------------------------------------------------------------------
    def add_files_dialog(self) -> None:
        recent = self.ctx.settings.recent_files("audio")
        start = str(Path(recent[0]).parent) if recent else str(Path.home())
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Add audio files"), start, self.tr(AUDIO_FILTER))
        if paths:
            self.add_files(paths)

    def add_files(self, paths: list) -> None:
        entry = None
        for path in paths:
            entry = self.queue.add(path)
            self.ctx.settings.add_recent_file("audio", path)
        if entry is not None:
            self._select(entry)
        self._update_buttons()

    def _select(self, entry: QueueEntry) -> None:
        """Make ``entry`` the current one, which shows it."""
        for i in range(self.queue.count()):
            if self.queue.entry(self.queue.item(i)) is entry:
                self.queue.setCurrentRow(i)

    def remove_current(self) -> None:
        entry = self.queue.current_entry()
        if entry is None or entry is self._running:
            return
        self.player.release()
        self.queue.remove_current()
        if (job := self._audio_jobs.get(entry)) is not None:
            job.cancel()
        entry.audio = None
        if entry in self._views:
            self._views.remove(entry)
        self._show_entry(self.queue.current_entry())

    def _show_entry(self, entry: QueueEntry | None) -> None:
        self.player.stop()
        for other, job in self._audio_jobs.items():  # a view no longer wanted: stop reading it
            if other is not entry:
                job.cancel()
        if entry is None:
            self.signal.clear()
            self.transcript.set_segments([])
            self.file_label.clear()
            self.text_label.clear()
            self._update_buttons()
            return
        if self._live is None:  # while live, the label says so
            self.file_label.setText(str(entry.path))
        self.transcript.set_segments(entry.segments or [])
        self._show_summary(entry)
        if entry.audio is not None:
            self._keep_view(entry)
            self.signal.set_audio(entry.audio)
        elif entry.view_error:
            self.signal.clear(entry.view_error)
        else:
            self.signal.clear(self.tr("Reading %1…").replace("%1", entry.path.name))
            self._load_audio(entry)
        self._update_buttons()

    def _load_audio(self, entry: QueueEntry) -> None:
        """Start reading ``entry`` for the view unless a read is under way (a cancelled one restarts it)."""
        if entry.loading:
            return
        entry.loading = True
        job = self.ctx.jobs.run("open-audio", jobs.open_audio, entry.path, quiet=True,
                                title=self.tr("Cannot open this audio file"),
                                on_done=lambda audio, e=entry: self._on_audio(e, audio),
                                on_failed=lambda msg, e=entry: self._on_audio_failed(e, msg))
        self._audio_jobs[entry] = job

        def finished(e=entry, j=job) -> None:
            if self._audio_jobs.get(e) is j:
                del self._audio_jobs[e]
                e.loading = False
            if (j.cancel_requested and not self._closing and e.audio is None and not e.view_error
                    and self.queue.current_entry() is e):
                self._load_audio(e)  # shown again while its superseded read was stopping

        job.finished.connect(finished)

    def _keep_view(self, entry: QueueEntry) -> None:
        """Hold samples and mel for the last KEEP_VIEWS entries shown only; the others read again when shown."""
        if entry in self._views:
            self._views.remove(entry)
        self._views.append(entry)
        for old in self._views[:-KEEP_VIEWS]:
            old.audio = None
        del self._views[:-KEEP_VIEWS]

    def _on_audio(self, entry: QueueEntry, audio) -> None:
        entry.audio, entry.view_error = audio, ""
        if self.queue.current_entry() is entry:
            self._keep_view(entry)
            self.signal.set_audio(audio)
            self.signal.set_cursor(0.0)
        else:  # read to the end though no longer shown: not kept
            entry.audio = None
            return
        self._update_buttons()
        self.audio_loaded.emit(entry)

    def _on_audio_failed(self, entry: QueueEntry, message: str) -> None:
        """A view problem stays out of the transcription's status; a dialog only for a file not transcribed."""
        entry.view_error = message
        if self.queue.current_entry() is entry:
            self.signal.clear(message)
            if entry.transcript is None and entry is not self._running:
                show_error(self, self.tr("Cannot open this audio file"), message)
        self.job_failed.emit(message)

    def _show_summary(self, entry: QueueEntry) -> None:
        t = entry.transcript
        if t is None:
            self.text_label.setText(entry.detail if entry.status == "failed" else
                                    entry.view_error or self.tr("Not transcribed yet."))
            return
        text = self.tr("%1 segments · %2 of audio in %3 s")
        self.text_label.setText(text.replace("%1", str(len(entry.segments or []))).replace(
            "%2", clock(t.duration_s)).replace("%3", f"{t.compute_s:.1f}"))

    # -- transcription ----------------------------------------------------------------------------------------
    def transcribe_all(self) -> None:
        problem = self.model_problem()
        if problem:
            show_error(self, self.tr("No speech model"), problem)
            return
        if self._running is None:
            self._next()

    def _next(self) -> None:
        waiting = [e for e in self.queue.entries() if e.status in ("waiting", "failed", "cancelled")]
        if not waiting:
            self._running = None
            self._update_buttons()
            return
        entry = self._running = waiting[0]
        entry.status, entry.detail = "transcribing", ""
        self.queue.refresh(entry)
        if self.ctx.loaded("speech") is None:
            self.ctx.set_model_state("speech", "loading")
        job = self.ctx.jobs.run("transcribe", jobs.transcribe, self.ctx.cache, self.ctx.model("speech"),
                                self.ctx.device, entry.path, title=self.tr("Transcription failed"), bar=self.progress,
                                on_done=lambda t, e=entry: self._on_transcribed(e, t),
                                on_failed=lambda msg, e=entry: self._on_failed(e, msg),
                                on_cancelled=lambda e=entry: self._on_cancelled(e))

        def progress(done: int, total: int, _phase: str, e=entry) -> None:
            if total > 0:
                e.detail = f"{100 * done // total}%"
                self.queue.refresh(e)

        job.progress.connect(progress)
        self._update_buttons()

    def _on_transcribed(self, entry: QueueEntry, transcript) -> None:
        self.ctx.set_model_state("speech", "ready")
        entry.transcript = transcript
        entry.segments = list(transcript.segments)
        entry.status, entry.detail = "done", ""
        self.queue.refresh(entry)
        if self.queue.current_entry() is entry:
            self.transcript.set_segments(entry.segments)
            self._show_summary(entry)
        self.transcribed.emit(entry)
        self._running = None
        self._next()

    def _on_failed(self, entry: QueueEntry, message: str) -> None:
        if self.ctx.model_state.get("speech") == "loading":
            self.ctx.set_model_state("speech", "")
        entry.status, entry.detail = "failed", message
        self.queue.refresh(entry)
        self._running = None
        self.job_failed.emit(message)
        if self.ctx.loaded("speech") is not None:  # the model works; this file was the problem
            self._next()
        else:
            self._update_buttons()

    def _on_cancelled(self, entry: QueueEntry) -> None:
        if self.ctx.model_state.get("speech") == "loading":
            self.ctx.set_model_state("speech", "ready" if self.ctx.loaded("speech") else "")
        entry.status, entry.detail = "cancelled", ""
        self.queue.refresh(entry)
        self._running = None
        self._update_buttons()

    def cancel(self) -> None:
        self.ctx.jobs.cancel("transcribe")

    # -- export -----------------------------------------------------------------------------------------------
    def export(self, path: str | Path | None = None, fmt: str | None = None) -> Path | None:
        entry = self.queue.current_entry()
        if entry is None or entry.segments is None:
            return None
        fmt = (fmt or self.format.currentText()).lower()
        if path is None:
            suggestion = entry.path.with_suffix(f".{fmt}")
            chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Export transcript"), str(suggestion),
                                                    f"{fmt.upper()} (*.{fmt})")
            if not chosen:
                return None
            path = chosen
        from seqstudio.speech.formats import write_transcript

        try:
            written = write_transcript(path, self.transcript.segments(), fmt, overwrite=True)
        except (SeqStudioError, OSError) as exc:
            show_error(self, self.tr("Export failed"), str(exc))
            return None
        self.ctx.jobs.message.emit(self.tr("Wrote %1").replace("%1", str(written)))
        self.exported.emit(str(written))
        return written

    # -- playback ---------------------------------------------------------------------------------------------
    def toggle_play(self) -> None:
        entry = self.queue.current_entry()
        if entry is None or self._live is not None:
            return
        if self.player.is_playing:
            self.player.pause()
        elif self.player.source == entry.path:
            self.player.resume()
        else:
            self.player.play(entry.path, 0.0)

    def seek(self, seconds: float) -> None:
        entry = self.queue.current_entry()
        if entry is None or self._live is not None:
            return
        if self.player.source != entry.path:
            self.player.play(entry.path, seconds)
        else:
            self.player.seek(seconds)
        self._on_position(seconds)

    def _on_position(self, seconds: float) -> None:
        self.signal.set_cursor(seconds)
        self.transcript.highlight_time(seconds)
        self.time_label.setText(clock(seconds))

    def _on_playing(self, playing: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))
        if playing and self.player.output_problem():
            self.ctx.jobs.message.emit(self.tr("No sound: %1; the cursor runs without it.").replace(
                "%1", self.player.output_problem()))

    # -- recording --------------------------------------------------------------------------------------------
    def toggle_record(self) -> None:
        if self.recorder.is_recording:
            self.recorder.stop()
            self.record_button.setText(self.tr("● Record"))
            self._update_buttons()
            return
        self.recorder.start(recordings_folder() / f"recording-{datetime.now():%Y%m%d-%H%M%S}.wav",
                            self.input_choice.device())
        self.record_button.setText(self.tr("■ Stop recording"))
        self._update_buttons()

    def _on_recorded(self, path: str) -> None:
        self.add_files([path])

    # -- live captions ----------------------------------------------------------------------------------------
    @property
    def _mic_problem(self) -> str:
        return self.input_choice.problem

    def _on_inputs_changed(self) -> None:
        self.ctx.settings.audio_input = self.input_choice.saved()
        self._update_buttons()

    def live_problem(self) -> str:
        """Why live captions cannot run here ("" when they can): a microphone and the streaming model."""
        return self._mic_problem or jobs.streaming_model_missing()

    def toggle_live(self, source=None) -> None:
        if self._live is None:
            self.start_live(source)
        else:
            self.stop_live()

    def start_live(self, source=None) -> bool:
        """Caption ``source`` (the microphone unless given: anything with its start/stop, sample_rate and
        samples/error signals) until :meth:`stop_live`."""
        if self._live is not None:
            return False
        problem = jobs.streaming_model_missing() or ("" if source is not None else self._mic_problem)
        if problem:
            show_error(self, self.tr("Live captions are unavailable"), problem)
            return False
        owned = source is None
        source = Microphone(self, self.input_choice.device()) if owned else source
        feed = LiveFeed(self)
        source.samples.connect(feed.push)
        source.error.connect(self._on_live_source_error)  # before start(): an error while starting counts too
        feed.update.connect(self._on_live_update)
        session = _LiveSession(source, feed, owned, recording_path(recordings_folder()))
        self._live = session
        try:
            source.start()
        except SeqStudioError as exc:
            self._live = None
            session.release()
            show_error(self, self.tr("Live captions are unavailable"), str(exc))
            return False
        session.job = self.ctx.jobs.run("live", run_live, "default", feed, source.sample_rate, session.path,
                                        title=self.tr("Live captions failed"), bar=self.progress,
                                        on_done=lambda result, s=session: self._on_live_done(s, result))
        session.job.finished.connect(lambda s=session: self._on_live_ended(s))
        self.player.stop()
        self.caption.start()
        self.caption.setVisible(True)
        self.transcript.setVisible(False)
        self.live_inside.start()
        self.top.setCurrentWidget(self.live_inside)
        self._sizes = self.vsplit.sizes()
        total = sum(self._sizes)
        self.vsplit.setSizes([total - total // 4, total // 4])  # the captions need a few lines; the LSTM the rest
        self.file_label.setText(self.tr("Live captions"))
        self.text_label.clear()
        self.time_label.setText(clock(0.0))
        self.live_button.setText(self.tr("■ Stop live captions"))
        self.live_button.setToolTip(self.tr("Stop listening; the recording and its words join the queue"))
        self._update_buttons()
        return True

    def stop_live(self) -> None:
        """Stop listening; the worker hears what has arrived, and the session joins the queue."""
        session = self._live
        if session is None or session.stopping:
            return
        session.stopping = True
        session.source.stop()
        session.feed.end()
        if session.job is not None:
            self.live_button.setText(self.tr("Finishing…"))
            self._update_buttons()

    def _on_live_update(self, update) -> None:
        self.caption.add(update)
        self.live_inside.add(update.inside)
        self.time_label.setText(clock(update.time_s))

    def _on_live_source_error(self, message: str) -> None:
        if self._live is not None and not self._live.stopping:
            self.ctx.jobs.message.emit(self.tr("Live captions stopped: %1").replace("%1", message))
            self.stop_live()

    def _on_live_done(self, session: _LiveSession, result) -> None:
        """The session's recording and words, as a finished entry of the queue."""
        entry = self.queue.add(result.path)
        entry.transcript = result.transcript
        entry.segments = list(result.transcript.segments)
        entry.status, entry.detail, entry.live = "done", self.tr("live captions"), True
        self.queue.refresh(entry)
        session.entry = entry

    def _on_live_ended(self, session: _LiveSession) -> None:
        """The session's job returned, failed or was cancelled: back to the file view. A recording whose session
        did not finish still joins the queue, to be transcribed."""
        if self._live is not session:
            return
        self._live = None
        if not session.stopping:  # it ended while listening (a failure)
            session.source.stop()
        session.release()
        entry = session.entry
        if entry is None and session.path.exists() and not self._closing:
            entry = self.queue.add(session.path)
            entry.detail = self.tr("kept from live captions")
            self.queue.refresh(entry)
            self.ctx.jobs.message.emit(self.tr("The recording is kept: %1").replace("%1", str(session.path)))
        self.caption.setVisible(False)
        self.transcript.setVisible(True)
        self.top.setCurrentWidget(self.signal)
        self.vsplit.setSizes(self._sizes)
        self.live_button.setText(self.tr("◉ Live captions"))
        if self._closing:
            return
        if entry is not None:
            self._select(entry)  # shows it
        else:
            self._show_entry(self.queue.current_entry())
        if session.entry is not None:
            self.live_finished.emit(session.entry)

    # -- inside the LSTM --------------------------------------------------------------------------------------
    def look_inside(self) -> None:
        entry = self.queue.current_entry()
        if entry is None or entry.audio is None:
            return
        if entry.live:  # the streaming model's own run, whose captions these are
            fn, args = jobs.trace_streaming, (entry.audio,)
        else:
            fn, args = jobs.trace_utterance, (self.ctx.cache, self.ctx.model("speech"), self.ctx.device, entry.audio)
        self.ctx.jobs.run("inside", fn, *args, title=self.tr("Cannot look inside the LSTM"), bar=self.progress,
                          on_done=self.ctx.inside_ready.emit)

    def shutdown(self) -> None:
        self._closing = True
        self.player.release()
        if self.recorder.is_recording:
            self.recorder.stop()
        self.stop_live()
