"""What the app remembers between launches, read defensively. A settings file can hold anything
(hand edits, another version, a crash mid-write): every remembered value is parsed, and one that
fails is forgotten, replaced by its default by the caller, and named in the status bar."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from engine.core.config import SimConfig
from engine.core.tokens import tokenize


def parse_config(text) -> SimConfig | None:
    return SimConfig.from_json(text) if isinstance(text, str) else None


def parse_sentence(text) -> str | None:
    return text if isinstance(text, str) and tokenize(text) else None


class RememberedSettings:
    """Reads remembered values through a parser and keeps the names of the damaged ones."""

    def __init__(self, settings: QSettings):
        self.settings = settings
        self._damaged: list[str] = []

    def value(self, key: str, parse):
        """parse(the value remembered under `key`), or None when there is none. A value that
        parse refuses (returning None or raising) is forgotten and noted as damaged."""
        if not self.settings.contains(key):
            return None
        try:
            parsed = parse(self.settings.value(key))
        except (TypeError, ValueError, OverflowError, RuntimeError):  # EngineInputError included
            parsed = None
        if parsed is None:
            self.settings.remove(key)
            self._damaged.append(key)
        return parsed

    def check(self, parsers: dict) -> None:
        """Read (and so vet) every key in `parsers` (key -> parse) now."""
        for key, parse in parsers.items():
            self.value(key, parse)

    def damaged(self) -> list[str]:
        """What was ignored: a file that is no settings file, then each damaged key."""
        names = list(self._damaged)
        if self.settings.status() == QSettings.Status.FormatError:
            names.insert(0, f"the file {self.settings.fileName()} (not a settings file)")
        return names
