"""The simulation engine: an RNN run one timestep at a time and self-attention run as one matrix
operation on the same sentence, recorded in an immutable Trace. Qt-free by design."""

from engine.config import MAX_TOKENS, SimConfig
from engine.errors import ConfigError, EngineInputError, RunCancelled
from engine.progress import CancelToken
from engine.run import simulate, simulate_tokens
from engine.tokens import tokenize
from engine.trace import Trace, TraceFileError, load_trace

__all__ = [
    "MAX_TOKENS", "CancelToken", "ConfigError", "EngineInputError", "RunCancelled", "SimConfig",
    "Trace", "TraceFileError", "load_trace", "simulate", "simulate_tokens", "tokenize",
]
__version__ = "0.1.0"
