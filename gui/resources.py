"""Loads the packaged presets and sample sentences (resources/presets.json)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    values: dict  # SimConfig fields this preset sets; the rest keep their defaults
    sentence: str  # a sentence on which the preset's effect is visible


@functools.cache
def _load() -> dict:
    text = resources.files("resources").joinpath("presets.json").read_text(encoding="utf-8")
    return json.loads(text)


def presets() -> list[Preset]:
    return [Preset(p["name"], p["description"], dict(p["values"]), p["sentence"])
            for p in _load()["presets"]]


def preset_named(prefix: str) -> Preset:
    """The first preset whose name starts with `prefix` ("Readable", "Exploding", ...)."""
    return next(preset for preset in presets() if preset.name.startswith(prefix))


def sample_sentences() -> list[str]:
    return list(_load()["sentences"])
