"""Sessions: the sentence, every parameter, the weights, the tick and the selected token as
versioned JSON.

Opening a session re-runs the engine, which is deterministic, so the trace comes back bit for bit;
the trace's digest is stored to prove it. The weights are random from the config's seed, read
from a weight file, or rebuilt from the training lab's two checkpoint files (a trained RNN and
Transformer, and the Transformer layer shown); the session keeps the weights' digest, so a changed
or missing file is noticed rather than replaced by random weights. Qt-free, so the command line
reads sessions too.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.core.atomic import OutputPathError, write_text
from engine.core.config import SimConfig
from engine.core.errors import ConfigError, EngineInputError
from engine.core.tokens import check_encodable, tokenize
from engine.core.untrusted import decode_text, parse_json, printable, read_limited

if TYPE_CHECKING:  # engine.models loads torch: imported only when a session names a weight file
    from engine.models.weights import WeightSet

FORMAT_NAME = "rnn-vs-transformer session"
# Version 2 added weight files, version 3 trained-model checkpoints. A session on random weights
# is still written as version 1, which older versions of the app open exactly; one on a weight
# file as version 2; one on checkpoints as version 3, which older versions refuse rather than run
# on other weights.
FORMAT_VERSION = 3
RANDOM_WEIGHTS_VERSION = 1
FILE_WEIGHTS_VERSION = 2
CHECKPOINT_ROLES = ("recurrent", "transformer")  # the checkpoint files, in this order
MAX_PATH_CHARS = 4096  # PATH_MAX on Linux
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
    weights_file: str = ""  # the weight file the run used, as saved; "" for random from the seed
    weights_digest: str = ""  # WeightSet.digest() of the weights when the session was saved
    # Trained weights: the recurrent and the Transformer checkpoint files, as saved (empty for
    # none), and the Transformer layer shown (1-based).
    weights_checkpoints: tuple[str, ...] = ()
    weights_layer: int = 1
    # The weight file's weights, once load_session has read and checked them (None: random).
    weights: WeightSet | None = dataclasses.field(default=None, compare=False, repr=False)

    def with_weights(self, weights: WeightSet | None) -> Session:
        """This session on `weights`: random ones (None, or the seed's) or ones read from a file.
        SessionError for weights that exist in no file, which a session could not find again."""
        if weights is None:
            return dataclasses.replace(self, weights_file="", weights_digest="",
                                       weights_checkpoints=(), weights_layer=1, weights=None)
        if weights.path is None and weights.checkpoints is not None:
            files = tuple(str(weights.checkpoints[role]) for role in CHECKPOINT_ROLES)
            return dataclasses.replace(self, weights_file="", weights_checkpoints=files,
                                       weights_layer=weights.layer,
                                       weights_digest=weights.digest(), weights=weights)
        if weights.path is None:
            from engine.models.weights import WeightSet

            if weights.digest() != WeightSet.random(self.config).digest():
                raise SessionError("the session cannot be saved: its weights were not read from "
                                   "a weight file; save them to one first")
            return self.with_weights(None)
        return dataclasses.replace(self, weights_file=str(weights.path), weights_checkpoints=(),
                                   weights_layer=1, weights_digest=weights.digest(),
                                   weights=weights)

    @property
    def names_weights(self) -> bool:
        """Whether the session's weights come from files (a weight file or checkpoints)."""
        return bool(self.weights_file or self.weights_checkpoints)

    def to_json(self) -> str:
        """The file's text; SessionError if it could not be written as UTF-8 (a lone surrogate)."""
        try:
            check_encodable(self.sentence)
            check_encodable(self.weights_file, "the weight file's name")
            for name in self.weights_checkpoints:
                check_encodable(name, "a checkpoint file's name")
        except EngineInputError as error:
            raise SessionError(f"the session cannot be saved: {error}") from None
        if self.weights_file:
            weights = {"source": "file", "path": self.weights_file, "sha256": self.weights_digest}
            version = FILE_WEIGHTS_VERSION
        elif self.weights_checkpoints:
            weights = {"source": "checkpoints", **dict(zip(CHECKPOINT_ROLES,
                                                           self.weights_checkpoints)),
                       "layer": self.weights_layer, "sha256": self.weights_digest}
            version = FORMAT_VERSION
        else:
            weights = {"source": "random"}  # from config.seed
            version = RANDOM_WEIGHTS_VERSION
        return json.dumps({
            "format": FORMAT_NAME,
            "version": version,
            "sentence": self.sentence, "config": self.config.to_dict(), "weights": weights,
            "tick": self.tick, "selected_token": self.selected_token,
            "trace_digest": self.trace_digest,
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
        weights = _weights_entry(data.get("weights"), source)
        # Clamped as the app would clamp them, so an absurd number never reaches a widget.
        tick = min(max(0, tick), 2 * length)
        selected = selected if 0 <= selected < length else -1
        return cls(sentence, config, tick, selected, digest, **weights)


def _weights_entry(entry, source: str) -> dict:
    """The Session fields of the session's "weights" entry: a weight file and its digest, or
    checkpoint files, the layer and the digest; none for random weights, which is also what
    sessions saved before weight files mean."""
    if entry is None:
        return {}
    if not isinstance(entry, dict) or entry.get("source") not in ("random", "file", "checkpoints"):
        raise SessionError(f"{source}: 'weights' must say whether they are random, from a file "
                           f"or from checkpoints")
    if entry["source"] == "random":
        return {}
    digest = entry.get("sha256")
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise SessionError(f"{source} holds a weight digest that is not 64 hexadecimal digits")
    if entry["source"] == "file":
        return {"weights_file": _path_entry(entry.get("path"), source, "its weight file"),
                "weights_digest": digest}
    layer = entry.get("layer")
    if not _is_int(layer) or not 1 <= layer <= 64:
        raise SessionError(f"{source}: its trained weights name no valid Transformer layer")
    files = tuple(_path_entry(entry.get(role), source, f"its {role} checkpoint")
                  for role in CHECKPOINT_ROLES)
    return {"weights_checkpoints": files, "weights_layer": layer, "weights_digest": digest}


def _path_entry(path, source: str, what: str) -> str:
    if not isinstance(path, str) or not path or len(path) > MAX_PATH_CHARS or "\0" in path:
        raise SessionError(f"{source}: {what} has no usable path")
    return path


def weights_path(session: Session, session_path: str | os.PathLike,
                 name: str | None = None) -> Path:
    """The session's weight file (or the file `name`); a relative name is taken from the
    session file's folder."""
    path = Path(session.weights_file if name is None else name)
    return path if path.is_absolute() else Path(session_path).parent / path


def _present(path: Path) -> bool:
    try:  # a folder or a device is there but is no weight file: loading it says so
        return path.exists()
    except (OSError, ValueError):  # a name the file system cannot take
        return False


def _load_weights(session: Session, session_path: Path) -> Session:
    """The session with its weight file's weights, checked against the digest it saved.

    SessionError if the file is missing, changed, damaged, or does not fit the parameters: the
    run needs those weights, and random ones in their place would show a different model."""
    from engine.core.errors import WeightsError
    from engine.models.weights import WeightSet

    if session.weights_checkpoints:
        return _load_checkpoints(session, session_path)
    shown, path = printable(session_path), weights_path(session, session_path)
    expected = session.weights_digest
    if not _present(path):
        raise SessionError(f"{shown} runs on the weight file {printable(path)}, which is missing "
                           f"(sha256 {expected[:12]}…); put it back or open the session's "
                           f"sentence with other weights")
    try:
        weights = WeightSet.load(path)
        weights.check(session.config)
    except WeightsError as error:
        raise SessionError(f"{shown} runs on a weight file that cannot be used: {error}") from None
    found = weights.digest()
    if found != expected:
        raise SessionError(f"{shown} runs on the weight file {printable(path)}, which has changed "
                           f"since the session was saved (its sha256 is {found[:12]}…, the "
                           f"session's {expected[:12]}…)")
    return dataclasses.replace(session, weights=weights)


def _load_checkpoints(session: Session, session_path: Path) -> Session:
    """The session with the trained weights its two checkpoint files rebuild, checked against
    the digest it saved; SessionError, saying why, when they are missing, changed or unusable."""
    from engine.labs.training.checkpoints import weight_set_from_checkpoints

    shown, expected = printable(session_path), session.weights_digest
    paths = [weights_path(session, session_path, name) for name in session.weights_checkpoints]
    for role, path in zip(CHECKPOINT_ROLES, paths):
        if not _present(path):
            raise SessionError(f"{shown} runs on the trained {role} checkpoint {printable(path)}, "
                               f"which is missing (it may have been moved or deleted; the "
                               f"weights' sha256 was {expected[:12]}…); put it back or open the "
                               f"session's sentence with other weights")
    try:
        weights = weight_set_from_checkpoints(*paths, layer=session.weights_layer)
        weights.check(session.config)
    except EngineInputError as error:  # CheckpointError or WeightsError
        raise SessionError(f"{shown} runs on trained checkpoints that cannot be used: "
                           f"{error}") from None
    found = weights.digest()
    if found != expected:
        raise SessionError(f"{shown} runs on the trained checkpoints {printable(paths[0])} and "
                           f"{printable(paths[1])}, which have changed since the session was "
                           f"saved (their weights' sha256 is {found[:12]}…, the session's "
                           f"{expected[:12]}…)")
    return dataclasses.replace(session, weights=weights)


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
    """Read a session file, and its weight file if it names one (Session.weights); SessionError
    for a missing, special, huge, binary or invalid file, or a missing or changed weight file."""
    session = read_session(path)
    return load_session_weights(session, path) if session.names_weights else session


def read_session(path: str | os.PathLike) -> Session:
    """Read a session file alone (a few kilobytes at most), without the weight file it may
    name; SessionError for a missing, special, huge, binary or invalid file."""
    path = Path(path)
    text = decode_text(read_limited(path, MAX_SESSION_BYTES, SessionError), path, SessionError)
    return Session.from_json(text, source=printable(path))


def load_session_weights(session: Session, session_path: str | os.PathLike) -> Session:
    """The session with the weights of the weight file it names, which may be large: the window
    reads them on a worker thread. SessionError for a missing, changed or unusable file."""
    return _load_weights(session, Path(session_path))
