"""Words to vectors: the tokenizer, the fixed per-token embedding, and sinusoidal positions."""

from __future__ import annotations

import re

import numpy as np

from engine.config import MAX_SENTENCE_CHARS, MAX_TOKENS
from engine.errors import EngineInputError
from engine.seeding import generator

# A word (letters, digits, underscores, inner apostrophes) or any single other visible character.
_TOKEN_PATTERN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]", re.UNICODE)


def tokenize(sentence: str) -> list[str]:
    """Split a sentence into words and punctuation marks; raise EngineInputError if unusable."""
    if not isinstance(sentence, str):
        raise EngineInputError("the sentence must be text")
    if len(sentence) > MAX_SENTENCE_CHARS:
        raise EngineInputError(
            f"the sentence has {len(sentence):,} characters; the limit is {MAX_SENTENCE_CHARS:,}"
        )
    tokens = _TOKEN_PATTERN.findall(sentence)
    if not tokens:
        raise EngineInputError("the sentence is empty: type at least one word")
    if len(tokens) > MAX_TOKENS:
        raise EngineInputError(
            f"the sentence has {len(tokens):,} tokens; the limit is {MAX_TOKENS:,}"
        )
    return tokens


def token_key(token: str) -> str:
    """Tokens that differ only in case share one vector, so "The ... the" repeats."""
    return token.casefold()


def embed_tokens(tokens: list[str], d_model: int, seed: int) -> np.ndarray:
    """One fixed standard-normal vector per distinct token: (T, D), float64."""
    cache: dict[str, np.ndarray] = {}
    rows = []
    for token in tokens:
        key = token_key(token)
        if key not in cache:
            cache[key] = generator(seed, "embedding:" + key).standard_normal(d_model)  # (D,)
        rows.append(cache[key])
    return np.stack(rows)  # (T, D)


def sinusoidal_positions(length: int, d_model: int) -> np.ndarray:
    """The position vectors of Vaswani et al.: sin on even, cos on odd dimensions. (T, D)"""
    positions = np.arange(length, dtype=np.float64)[:, None]  # (T, 1)
    frequencies = 1.0 / 10000.0 ** (np.arange(0, d_model, 2, dtype=np.float64) / d_model)  # (D/2,)
    angles = positions * frequencies  # (T, D/2)
    encoding = np.empty((length, d_model))
    encoding[:, 0::2] = np.sin(angles)
    encoding[:, 1::2] = np.cos(angles)
    return encoding  # (T, D)
