"""Write files so that a failure never leaves a half-written file: a temporary name, then a rename."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

from engine.core.errors import EngineInputError
from engine.core.untrusted import printable

# Temporaries being written right now, by any thread: a process that must exit at once removes
# them (remove_pending_temporaries) so that even then no partial file is left.
_pending: set[Path] = set()


def _read_umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it; put it straight back
    os.umask(mask)
    return mask


# mkstemp creates files readable by their owner only; a finished file gets the mode any new file
# would (what the user's umask allows). Read once, at import, before any worker thread exists.
FILE_MODE = 0o666 & ~_read_umask()


class OutputPathError(EngineInputError):
    """A file that cannot be written: a missing or read-only folder, a full disk, a bad name."""


def _reason(error: OSError | ValueError) -> str:
    if isinstance(error, UnicodeError):
        return "the name is not valid text for this file system"
    if isinstance(error, ValueError):  # an embedded NUL character
        return "the name holds a character no file name may hold"
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied"
    return error.strerror or str(error)


def _is_dir(folder: Path) -> bool:
    try:
        return folder.is_dir()
    except (OSError, ValueError):
        return False


def check_folder(folder: str | os.PathLike) -> Path:
    """The folder as a Path if files can be created in it; OutputPathError otherwise."""
    folder = Path(folder)
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except (OSError, ValueError) as error:
        if isinstance(error, FileNotFoundError) or not _is_dir(folder):
            raise OutputPathError(f"folder {printable(folder)} does not exist") from None
        raise OutputPathError(f"cannot write in {printable(folder)}: {_reason(error)}") from None
    return folder


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Yield a binary file; on success it replaces `path`, on any error nothing is left behind."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not _is_dir(folder):
        raise OutputPathError(f"cannot write {printable(path)}: folder {printable(folder)} "
                              "does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except (OSError, ValueError) as error:
        raise OutputPathError(f"cannot write {printable(path)}: {_reason(error)}") from None
    _pending.add(Path(temporary))
    try:
        os.chmod(temporary, FILE_MODE)
        with os.fdopen(handle, "wb") as file:
            yield file
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputPathError(f"cannot write {printable(path)}: {_reason(error)}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    finally:
        _pending.discard(Path(temporary))


def track_temporary(path: Path, pending: bool = True) -> None:
    """Count a temporary written outside atomic_write (a streamed video) as pending, or not."""
    (_pending.add if pending else _pending.discard)(Path(path))


def remove_pending_temporaries() -> None:
    """Delete every temporary an unfinished atomic_write still has open (for an immediate exit)."""
    for temporary in list(_pending):
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with atomic_write(path) as file:
        file.write(data)
    return Path(path)


def write_text(path: str | os.PathLike, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))
