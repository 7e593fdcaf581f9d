"""Deterministic random streams: one independent numpy generator per (seed, purpose)."""

from __future__ import annotations

import hashlib

import numpy as np


def generator(seed: int, purpose: str) -> np.random.Generator:
    """A generator that depends only on the seed and a purpose label such as "rnn" or "attention"."""
    digest = hashlib.blake2b(f"{seed}\x00{purpose}".encode(), digest_size=16).digest()
    return np.random.default_rng(np.frombuffer(digest, dtype=np.uint32))


def unit_vector(seed: int, purpose: str, size: int) -> np.ndarray:
    """A fixed random direction of length 1, used as a readout vector r."""
    vector = generator(seed, purpose).standard_normal(size)  # (size,)
    return vector / np.linalg.norm(vector)
