"""The simulation engine: an RNN run one timestep at a time and self-attention run as one matrix
operation on the same sentence, recorded in an immutable Trace. Qt-free by design.

Names are imported on first use, so `from engine import SimConfig` does not load torch; the app
shows its window first and loads torch in the worker that runs the first simulation.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "SimConfig": "engine.core.config", "MAX_TOKENS": "engine.core.config",
    "ConfigError": "engine.core.errors", "EngineInputError": "engine.core.errors",
    "RunCancelled": "engine.core.errors", "CancelToken": "engine.core.progress",
    "simulate": "engine.run", "simulate_tokens": "engine.run", "tokenize": "engine.core.tokens",
    "Trace": "engine.core.trace", "TraceFileError": "engine.core.trace", "load_trace": "engine.core.trace",
}
__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
