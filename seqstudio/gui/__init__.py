"""The desktop app (PySide6): Compose, Transcribe and Inside the LSTM in one window.

The app holds no model logic: its workers call the same core as the CLI (seqstudio.gui.jobs). Importing
this package imports no Qt; the modules under it do.
"""
