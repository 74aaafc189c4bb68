"""The UI's language: English in the source, Simplified Chinese from Qt translation files.

``translations/seqstudio_zh_CN.ts`` is the source (pyside6-lupdate keeps it in step with the code; edit it in
pyside6-linguist) and ``.qm`` the compiled file loaded here (pyside6-lrelease). See docs/USER_GUIDE.md.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
_installed: list[QTranslator] = []


def resolve(language: str) -> str:
    """"system" becomes the system locale's language when we have it, else English."""
    if language in ("en", "zh_CN"):
        return language
    name = QLocale.system().name()  # e.g. zh_CN, zh_TW, en_GB
    return "zh_CN" if name.startswith("zh") else "en"


def install(app: QCoreApplication, language: str) -> str:
    """Install the translators for ``language`` ("system", "en" or "zh_CN"); returns the one in force."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    lang = resolve(language)
    if lang == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return lang
    QLocale.setDefault(QLocale(lang))
    ours = QTranslator(app)
    if ours.load(str(TRANSLATIONS / f"seqstudio_{lang}.qm")):
        app.installTranslator(ours)
        _installed.append(ours)
    qt_own = QTranslator(app)  # Qt's own strings: standard buttons, file dialogs
    if qt_own.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_own)
        _installed.append(qt_own)
    return lang
