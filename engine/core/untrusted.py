"""Guards every file loader shares, so that a hostile or damaged file (a pipe, a huge or lying file,
odd JSON, unencodable names) ends in the loader's own error with a one-line message."""

from __future__ import annotations

import json
import math
import os
import stat
from typing import BinaryIO, Callable

# Each guard reports through `error(problem)`, which returns the loader's own exception.
ErrorFactory = Callable[[str], Exception]


def printable(text: object, limit: int = 500) -> str:
    """`text` fit for a one-line message: lone surrogates and control characters as escapes
    (printing them would raise or break the line), and at most `limit` characters."""
    text = str(text).encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(f"\\x{ord(c):02x}" if c < " " or c == "\x7f" else c for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind_problem(info: os.stat_result) -> str | None:
    if stat.S_ISDIR(info.st_mode):
        return "it is a folder, not a file"
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block the open; /dev/zero never ends
        return "it is a device, pipe or socket, not a regular file"
    return None


def open_regular_file(path: str | os.PathLike, limit: int, error: ErrorFactory) -> BinaryIO:
    """Open `path` for binary reading if it is a regular file of at most `limit` bytes.

    The type is checked before opening (opening a FIFO for reading blocks until a writer comes),
    then again on the opened descriptor, opened non-blocking, in case the path changed in between.
    """
    shown = printable(path)
    try:
        problem = _kind_problem(os.stat(path))
    except FileNotFoundError:
        raise error(f"{shown}: no such file") from None
    except UnicodeEncodeError:  # a lone surrogate the file system cannot encode
        raise error(f"cannot read {shown}: the file name is not valid text") from None
    except (OSError, ValueError) as failure:  # ValueError: an embedded NUL
        raise error(f"cannot read {shown}: {_reason(failure)}") from None
    if problem:
        raise error(f"cannot read {shown}: {problem}")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except (OSError, ValueError) as failure:
        raise error(f"cannot read {shown}: {_reason(failure)}") from None
    try:
        info = os.fstat(descriptor)
        problem = _kind_problem(info)
        if problem:
            raise error(f"cannot read {shown}: {problem}")
        if info.st_size > limit:
            raise error(f"{shown} is too large ({info.st_size:,} bytes; the limit is {limit:,})")
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_limited(path: str | os.PathLike, limit: int, error: ErrorFactory) -> bytes:
    """The bytes of a regular file, refused once more than `limit` arrive (whatever stat said)."""
    with open_regular_file(path, limit, error) as file:
        try:
            data = file.read(limit + 1)
        except OSError as failure:
            raise error(f"cannot read {printable(path)}: {_reason(failure)}") from None
    if len(data) > limit:
        raise error(f"{printable(path)} is too large (over {limit:,} bytes)")
    return data


def _reason(failure: Exception) -> str:
    if isinstance(failure, OSError) and failure.strerror:
        return failure.strerror.lower()
    return printable(failure)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {printable(text, 40)} is out of range")
    return value


def decode_text(data: bytes, path: str | os.PathLike, error: ErrorFactory) -> str:
    """UTF-8 file contents as text; a BOM, which editors on some systems add, is dropped."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"cannot read {printable(path)}: it is not UTF-8 text") from None


def parse_json(text: str, error: ErrorFactory):
    """Strict JSON: no NaN or Infinity, no number beyond a float's range, no overflowing nesting.

    `error(problem)` gets problems such as "is not valid JSON (...)", to follow the file's name.
    """
    if not isinstance(text, str):  # json.loads would also guess an encoding for bytes
        raise error("is not text")
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as failure:
        raise error(f"is not valid JSON ({failure.msg}, line {failure.lineno} "
                    f"column {failure.colno})") from None
    except RecursionError:
        raise error("is not valid JSON (nested too deeply)") from None
    except ValueError as failure:  # a rejected constant, or an integer of thousands of digits
        raise error(f"is not valid JSON ({printable(failure, 120)})") from None
