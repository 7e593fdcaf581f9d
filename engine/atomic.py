"""Write files so that a failure never leaves a half-written file: a temporary name, then a rename."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

from engine.errors import EngineInputError


class OutputPathError(EngineInputError):
    """A file that cannot be written: a missing or read-only folder, a full disk, a bad name."""


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied"
    return error.strerror or str(error)


def check_folder(folder: str | os.PathLike) -> Path:
    """The folder as a Path if files can be created in it; OutputPathError otherwise."""
    folder = Path(folder)
    if not folder.is_dir():
        raise OutputPathError(f"folder {folder} does not exist")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as error:
        raise OutputPathError(f"cannot write in {folder}: {_reason(error)}") from None
    return folder


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Yield a binary file; on success it replaces `path`, on any error nothing is left behind."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputPathError(f"cannot write {path}: folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as error:
        raise OutputPathError(f"cannot write {path}: {_reason(error)}") from None
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputPathError(f"cannot write {path}: {_reason(error)}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with atomic_write(path) as file:
        file.write(data)
    return Path(path)


def write_text(path: str | os.PathLike, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))
