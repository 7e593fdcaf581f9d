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


@functools.cache
def _load() -> dict:
    text = resources.files("resources").joinpath("presets.json").read_text(encoding="utf-8")
    return json.loads(text)


def presets() -> list[Preset]:
    return [Preset(p["name"], p["description"], dict(p["values"])) for p in _load()["presets"]]


def sample_sentences() -> list[str]:
    return list(_load()["sentences"])
