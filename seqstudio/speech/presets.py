"""Speech preset names, importable without torch (the CLI lists them in --help)."""

PRESET_NAMES = ("tiny", "cpu", "gpu")
