"""Light and dark themes: Fusion with a full palette, so every widget (and our own painting) reads well."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

# Colours our own widgets paint with, per theme: seed notes, continuation notes, cursor, grid.
ACCENTS = {
    "light": {"seed": "#5b7fa8", "new": "#e0782f", "cursor": "#d22f2f", "grid": "#d8dce2", "keys": "#f2f4f7",
              "black_keys": "#e3e7ec", "black_key": "#1d2025", "wave": "#3b6ea5", "highlight_row": "#fff3c4"},
    "dark": {"seed": "#7fa6d6", "new": "#ffa348", "cursor": "#ff5c5c", "grid": "#3a3f47", "keys": "#2a2e35",
             "black_keys": "#23262c", "black_key": "#0b0c0e", "wave": "#8fb8ea", "highlight_row": "#5a4d1e"},
}


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return scheme is not None and scheme() == Qt.ColorScheme.Dark


def resolve(theme: str) -> str:
    if theme in ("light", "dark"):
        return theme
    return "dark" if system_is_dark() else "light"


def _palette(dark: bool) -> QPalette:
    p = QPalette()
    if dark:
        base, window, text, button = QColor("#1e2126"), QColor("#272b31"), QColor("#e6e8eb"), QColor("#30353c")
        highlight, link, disabled = QColor("#3d7bd9"), QColor("#7fb0ff"), QColor("#7b818a")
    else:
        base, window, text, button = QColor("#ffffff"), QColor("#f3f4f6"), QColor("#1d2025"), QColor("#e9ebee")
        highlight, link, disabled = QColor("#2f6fd0"), QColor("#1f5bb5"), QColor("#9aa0a8")
    for role, colour in (
        (QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, window),
        (QPalette.ColorRole.ToolTipBase, window), (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.PlaceholderText, disabled), (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, button), (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.BrightText, QColor("#ff5555")), (QPalette.ColorRole.Link, link),
        (QPalette.ColorRole.Highlight, highlight), (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
    ):
        p.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


_STYLE = """
QToolTip { padding: 4px; }
QGroupBox { font-weight: 600; margin-top: 10px; padding-top: 6px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; }
QLabel#banner { border-radius: 4px; padding: 8px; background: %(banner_bg)s; color: %(banner_fg)s; }
QLabel#hint { color: %(hint)s; }
QPushButton { padding: 4px 12px; }
QPushButton#primary { font-weight: 600; }
"""


def apply(app: QApplication, theme: str) -> str:
    """Apply ``theme`` ("system", "light" or "dark"); returns the one in force."""
    name = resolve(theme)
    dark = name == "dark"
    app.setStyle("Fusion")
    app.setPalette(_palette(dark))
    colours = {"banner_bg": "#4a3b12" if dark else "#fff4d6", "banner_fg": "#ffe7a3" if dark else "#5c4400",
               "hint": "#9aa0a8" if dark else "#6b7280"}
    app.setStyleSheet(_STYLE % colours)
    app.setProperty("seqstudio_theme", name)
    return name


def accent(name: str) -> QColor:
    """One of :data:`ACCENTS` for the theme in force."""
    app = QApplication.instance()
    theme = app.property("seqstudio_theme") if app is not None else None
    return QColor(ACCENTS.get(theme or "light", ACCENTS["light"])[name])


def track_colour(track: int, continuation: bool) -> QColor:
    """A colour per instrument; the continuation in warm hues, the seed in cool ones, so both read at a glance."""
    hues_seed = (210, 185, 250, 160, 230, 140, 270, 195)
    hues_new = (28, 5, 45, 340, 15, 55, 320, 38)
    hue = (hues_new if continuation else hues_seed)[track % 8]
    app = QApplication.instance()
    dark = app is not None and app.property("seqstudio_theme") == "dark"
    return QColor.fromHsl(hue, 170 if continuation else 110, 150 if dark else 120)
