"""One typed wrapper over QSettings: everything the app remembers between sessions."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 10
LANGUAGES = ("system", "en", "zh_CN")
THEMES = ("system", "light", "dark")
DEVICES = ("auto", "cpu", "cuda")


class Settings:
    """``Settings()`` uses the user's settings store; ``Settings(path)`` an INI file (tests, portable use)."""

    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            self._q = QSettings("SeqStudio", "SeqStudio")
        else:
            self._q = QSettings(str(path), QSettings.Format.IniFormat)

    def _choice(self, key: str, allowed: tuple[str, ...], default: str) -> str:
        value = str(self._q.value(key, default))
        return value if value in allowed else default

    # -- appearance ----------------------------------------------------------------------------------------
    @property
    def language(self) -> str:
        return self._choice("ui/language", LANGUAGES, "system")

    @language.setter
    def language(self, value: str) -> None:
        self._q.setValue("ui/language", value if value in LANGUAGES else "system")

    @property
    def theme(self) -> str:
        return self._choice("ui/theme", THEMES, "system")

    @theme.setter
    def theme(self, value: str) -> None:
        self._q.setValue("ui/theme", value if value in THEMES else "system")

    @property
    def geometry(self) -> QByteArray | None:
        value = self._q.value("ui/geometry")
        return value if isinstance(value, QByteArray) else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._q.setValue("ui/geometry", value)

    # -- models and device ---------------------------------------------------------------------------------
    @property
    def device(self) -> str:
        return self._choice("models/device", DEVICES, "auto")

    @device.setter
    def device(self, value: str) -> None:
        self._q.setValue("models/device", value if value in DEVICES else "auto")

    def model(self, task: str) -> str:
        """The model the user chose for ``task`` ("music" or "speech"): a folder, or "default"."""
        return str(self._q.value(f"models/{task}", "default")) or "default"

    def set_model(self, task: str, value: str) -> None:
        self._q.setValue(f"models/{task}", value or "default")

    # -- the microphone --------------------------------------------------------------------------------------
    @property
    def audio_input(self) -> str:
        """The id (hex) of the microphone chosen for Record and Live captions; "" for the system's default."""
        return str(self._q.value("audio/input", "") or "")

    @audio_input.setter
    def audio_input(self, value: str) -> None:
        self._q.setValue("audio/input", value or "")

    # -- recent files ----------------------------------------------------------------------------------------
    def recent_files(self, kind: str) -> list[str]:
        value = self._q.value(f"recent/{kind}", [])
        if isinstance(value, str):  # QSettings gives back a one-item list as a plain string
            value = [value]
        return [str(v) for v in (value or []) if v][:MAX_RECENT]

    def add_recent_file(self, kind: str, path: str | Path) -> None:
        path = str(Path(path).resolve())
        files = [path] + [p for p in self.recent_files(kind) if p != path]
        self._q.setValue(f"recent/{kind}", files[:MAX_RECENT])

    # -- compose options (the last ones used) ---------------------------------------------------------------
    def compose_value(self, name: str, default):
        value = self._q.value(f"compose/{name}", default)
        try:
            if isinstance(default, bool):
                return value if isinstance(value, bool) else str(value).lower() == "true"
            return type(default)(value)
        except (TypeError, ValueError):
            return default

    def set_compose_value(self, name: str, value) -> None:
        self._q.setValue(f"compose/{name}", value)

    def sync(self) -> None:
        self._q.sync()
