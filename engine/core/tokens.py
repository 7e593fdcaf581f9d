"""Words to vectors: the tokenizer, the fixed per-token embedding, and sinusoidal positions."""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from engine.core.config import MAX_SENTENCE_CHARS, MAX_TOKENS
from engine.core.errors import EngineInputError
from engine.core.seeding import generator

# A word (letters, digits, underscores, inner apostrophes) or any single other visible character.
_TOKEN_PATTERN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]", re.UNICODE)
_ZERO_WIDTH_JOINER = "\u200d"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _is_mark(char: str) -> bool:
    """Characters that belong to the one before: combining marks, skin tones, emoji tags."""
    code = ord(char)
    return (unicodedata.category(char).startswith("M") or 0x1F3FB <= code <= 0x1F3FF
            or 0xE0020 <= code <= 0xE007F or char == _ZERO_WIDTH_JOINER)


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _is_invisible(char: str) -> bool:
    """Control and format characters (NUL, zero-width space, ...), but not the emoji joiners."""
    return unicodedata.category(char) in ("Cc", "Cf") and not _is_mark(char)


def _continues(previous: str, match: str) -> bool:
    """Whether `match`, directly after `previous`, is part of the same word or symbol."""
    if _is_mark(match[0]) or previous.endswith(_ZERO_WIDTH_JOINER):
        return True
    if _is_mark(previous[-1]) and (match[0].isalnum() or match[0] == "_"):
        return True  # scripts such as Devanagari alternate letters and vowel signs
    return (len(previous) == 1 and _is_regional_indicator(previous)
            and _is_regional_indicator(match[0]))  # two indicators make one flag


def tokenize(sentence: str) -> list[str]:
    """Split a sentence into words and punctuation marks; raise EngineInputError if unusable."""
    if not isinstance(sentence, str):
        raise EngineInputError("the sentence must be text")
    if len(sentence) > MAX_SENTENCE_CHARS:
        raise EngineInputError(
            f"the sentence has {len(sentence):,} characters; the limit is {MAX_SENTENCE_CHARS:,}"
        )
    check_encodable(sentence)
    text = "".join(" " if _is_invisible(char) else char for char in sentence)
    tokens: list[str] = []
    end = -1
    for match in _TOKEN_PATTERN.finditer(text):
        piece = match.group()
        if tokens and match.start() == end and _continues(tokens[-1], piece):
            tokens[-1] += piece
        else:
            tokens.append(piece)
        end = match.end()
    check_tokens(tokens)
    return tokens


def check_encodable(text: str, what: str = "the sentence") -> None:
    """Refuse lone surrogates (half of a UTF-16 pair, as a broken paste or file name can give).

    They are refused rather than dropped or replaced: they are not characters, cannot be written
    as UTF-8 (a session or export would fail later), and quietly changing what the user typed
    would make the tokens differ from the sentence on screen.
    """
    found = _SURROGATE.search(text)
    if found:
        raise EngineInputError(f"{what} holds U+{ord(found.group()):04X}, a lone surrogate that "
                               f"is not a character; delete it or retype the character")


def check_tokens(tokens: list[str]) -> None:
    """Raise EngineInputError unless there are 1..MAX_TOKENS non-empty tokens without spaces."""
    if not tokens:
        raise EngineInputError("the sentence is empty: type at least one word")
    if len(tokens) > MAX_TOKENS:
        raise EngineInputError(
            f"the sentence has {len(tokens):,} tokens; the limit is {MAX_TOKENS:,}"
        )
    if any(not isinstance(token, str) or not token or token != token.strip() for token in tokens):
        raise EngineInputError("every token must be non-empty text without spaces")
    for token in tokens:
        check_encodable(token, "a token")


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
