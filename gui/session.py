"""Sessions: the sentence, every parameter, the tick and the selected token as versioned JSON.

Opening a session re-runs the engine, which is deterministic, so the trace comes back bit for bit;
the trace's digest is stored to prove it. Qt-free, so the command line reads sessions too.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from engine.core.atomic import OutputPathError, write_text
from engine.core.config import SimConfig
from engine.core.errors import ConfigError, EngineInputError
from engine.core.tokens import check_encodable, tokenize
from engine.core.untrusted import decode_text, parse_json, printable, read_limited

FORMAT_NAME = "rnn-vs-transformer session"
FORMAT_VERSION = 1
MAX_SESSION_BYTES = 1_000_000  # a session is a few hundred bytes; refuse anything absurd
_DIGEST = re.compile(r"[0-9a-f]{64}")  # Trace.digest(): a SHA-256 in hexadecimal


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
        """The file's text; SessionError if it could not be written as UTF-8 (a lone surrogate)."""
        try:
            check_encodable(self.sentence)
        except EngineInputError as error:
            raise SessionError(f"the session cannot be saved: {error}") from None
        return json.dumps({
            "format": FORMAT_NAME, "version": FORMAT_VERSION, "sentence": self.sentence,
            "config": self.config.to_dict(), "tick": self.tick,
            "selected_token": self.selected_token, "trace_digest": self.trace_digest,
        }, indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, source: str = "the session") -> Session:
        """Read a session; SessionError, naming `source`, for anything else the text may hold."""
        data = parse_json(text, lambda problem: SessionError(f"{source} {problem}"))
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise SessionError(f"{source} is not a session saved by this app")
        version = data.get("version")
        if not _is_int(version) or version < 1:
            raise SessionError(f"{source} has no valid format version")
        if version > FORMAT_VERSION:
            raise SessionError(f"{source} was saved by a newer version (session format "
                               f"{printable(version, 30)}; this app reads up to {FORMAT_VERSION})")
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
        if digest and not _DIGEST.fullmatch(digest):
            raise SessionError(f"{source} holds a trace digest that is not 64 hexadecimal digits")
        try:
            length = len(tokenize(sentence))
        except EngineInputError as error:
            raise SessionError(f"{source} holds a sentence that cannot run: {error}") from None
        # Clamped as the app would clamp them, so an absurd number never reaches a widget.
        tick = min(max(0, tick), 2 * length)
        selected = selected if 0 <= selected < length else -1
        return cls(sentence, config, tick, selected, digest)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def save_session(path: str | os.PathLike, session: Session) -> Path:
    """Write atomically; OutputPathError if the folder is missing or not writable, SessionError if
    the session holds text that UTF-8 cannot write."""
    text = session.to_json() + "\n"
    try:
        return write_text(path, text)
    except UnicodeEncodeError:  # a file name with a lone surrogate
        raise OutputPathError(f"cannot write {printable(path)}: the file name is not valid text") \
            from None
    except OutputPathError as error:  # its message may quote such a name
        raise OutputPathError(printable(error)) from None


def load_session(path: str | os.PathLike) -> Session:
    """Read a session file; SessionError for a missing, special, huge, binary or invalid file."""
    path = Path(path)
    text = decode_text(read_limited(path, MAX_SESSION_BYTES, SessionError), path, SessionError)
    return Session.from_json(text, source=printable(path))
