"""Counts in the words shown to the user: "1 token", "5 tokens", "1 hop"."""

from __future__ import annotations


def count(number: int, singular: str, plural: str | None = None) -> str:
    """`number` and the noun in the form that agrees with it, with thousands separators."""
    noun = singular if number == 1 else (plural or singular + "s")
    return f"{number:,} {noun}"
