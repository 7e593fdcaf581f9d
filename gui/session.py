"""Sessions: the sentence, every parameter, the tick and the selected token as versioned JSON.

Opening a session re-runs the engine, which is deterministic, so the trace comes back bit for bit;
the trace's digest is stored to prove it. Qt-free, so the command line reads sessions too.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from engine.atomic import write_text
from engine.config import SimConfig
from engine.errors import ConfigError, EngineInputError
from engine.tokens import tokenize

FORMAT_NAME = "rnn-vs-transformer session"
FORMAT_VERSION = 1
MAX_SESSION_BYTES = 1_000_000  # a session is a few hundred bytes; refuse anything absurd


class SessionError(EngineInputError):
    """A session file that cannot be read: missing, corrupt, from a newer version, or invalid."""


@dataclass(frozen=True)
class Session:
    sentence: str  # as typed
    config: SimConfig  # every parameter and the seed
    tick: int  # the timeline position, 0..2T
    selected_token: int = -1  # the pinned token, -1 for none
    trace_digest: str = ""  # Trace.digest() of the run, to check that reopening reproduces it

    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT_NAME, "version": FORMAT_VERSION, "sentence": self.sentence,
            "config": self.config.to_dict(), "tick": self.tick,
            "selected_token": self.selected_token, "trace_digest": self.trace_digest,
        }, indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, source: str = "the session") -> Session:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise SessionError(f"{source} is not valid JSON ({error.msg}, line {error.lineno})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise SessionError(f"{source} is not a session saved by this app")
        version = data.get("version")
        if not isinstance(version, int) or version < 1:
            raise SessionError(f"{source} has no valid format version")
        if version > FORMAT_VERSION:
            raise SessionError(f"{source} was saved by a newer version (session format {version}; "
                               f"this app reads up to {FORMAT_VERSION})")
        if "config" in data and not isinstance(data["config"], dict):
            raise SessionError(f"{source}: 'config' must be a JSON object")
        try:
            config = SimConfig.from_dict(data["config"])
            sentence, tick = data["sentence"], data["tick"]
            selected = data.get("selected_token", -1)
            digest = data.get("trace_digest", "")
        except KeyError as missing:
            raise SessionError(f"{source} lacks the entry {missing}") from None
        except (ConfigError, TypeError) as error:
            raise SessionError(f"{source} holds an invalid parameter: {error}") from None
        if not isinstance(sentence, str) or not _is_int(tick) or not _is_int(selected) \
                or not isinstance(digest, str):
            raise SessionError(f"{source} has an entry of the wrong type")
        try:
            tokenize(sentence)
        except EngineInputError as error:
            raise SessionError(f"{source} holds a sentence that cannot run: {error}") from None
        return cls(sentence, config, max(0, tick), max(-1, selected), digest)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def save_session(path: str | os.PathLike, session: Session) -> Path:
    """Write atomically; OutputPathError if the folder is missing or not writable."""
    return write_text(path, session.to_json() + "\n")


def load_session(path: str | os.PathLike) -> Session:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SESSION_BYTES:
            raise SessionError(f"{path} is too large to be a session file")
        text = path.read_text(encoding="utf-8-sig")  # editors on some systems add a BOM
    except FileNotFoundError:
        raise SessionError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SessionError(f"cannot read {path}: {error}") from None
    return Session.from_json(text, source=str(path))
