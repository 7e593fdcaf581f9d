"""Writing .npz files atomically, and reading untrusted ones: every size checked before anything
is unpacked, pickles never.

np.load would unpack whatever sizes a file declares, and reads a file that is not a zip as a
single array (or a pickle). These guards check every size first, then read each array with the
same numpy.lib.format.read_array that np.load uses, pickles refused.
"""

from __future__ import annotations

import math
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib import format as npy

from engine.core.atomic import OutputPathError, atomic_write
from engine.core.untrusted import ErrorFactory, open_regular_file, printable

def write_npz(path: str | os.PathLike, arrays: dict[str, np.ndarray], error: ErrorFactory) -> Path:
    """Write `arrays` to one compressed .npz (".npz" added when missing), atomically: a temporary
    name, then a rename, with a mode that follows the umask. Returns the path; `error(problem)`
    for a path that cannot be written."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    try:
        with atomic_write(path) as file:
            np.savez_compressed(file, **arrays)
    except OutputPathError as failure:
        raise error(printable(failure)) from None  # the path may hold a lone surrogate
    except UnicodeEncodeError:
        raise error(f"cannot write {printable(path)}: the file name is not valid text") from None
    return path


_READ_ERRORS = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, struct.error,
                NotImplementedError, RuntimeError, OverflowError)  # bad zips, deflate, npy headers


@dataclass(frozen=True)
class NpzLimits:
    """What one kind of .npz file may hold, and its name for messages ("a trace")."""
    kind: str
    max_bytes: int  # the file, and everything its arrays unpack to
    max_entries: int
    max_directory_bytes: int = 2**20  # the zip's table of contents, about 100 bytes per entry



def read_npz_arrays(path: str | os.PathLike, limits: NpzLimits,
                    error: ErrorFactory) -> dict[str, np.ndarray]:
    """Every array of an untrusted .npz file, by name, after every size has been checked.

    Object arrays (pickles), special files, zip bombs and npy headers that lie about their size
    are refused with `error(problem)` before anything is unpacked; never unpickles.
    """
    shown = printable(path)
    with open_regular_file(path, limits.max_bytes, error) as file:
        try:
            _check_directory_size(file, shown, limits, error)
            with zipfile.ZipFile(file) as archive:
                members = _checked_members(archive, shown, limits, error)
                return {info.filename[:-4]: _read_member(archive, info, shown, limits, error)
                        for info in members}
        except _Refused as refused:
            raise refused.error from None
        except MemoryError:
            raise error(f"{shown} is too large to load in the memory available") from None
        except _READ_ERRORS as failure:
            reason = "it ends too early" if isinstance(failure, EOFError) else type(failure).__name__
            raise error(f"{shown} is not a readable .npz file "
                        f"({printable(failure, 120) or reason})") from None


class _Refused(Exception):
    """Carries a loader's own error past the handlers for damaged zips (it may be a ValueError)."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def _refuse(error: ErrorFactory, problem: str) -> _Refused:
    return _Refused(error(problem))


def _check_directory_size(file, shown: str, limits: NpzLimits, error: ErrorFactory) -> None:
    """ZipFile keeps one record per entry of the table of contents: refuse millions of them."""
    if file.read(4) not in (b"PK\x03\x04", b"PK\x05\x06"):  # np.load's test for a .npz
        raise _refuse(error, f"{shown} is not a .npz file (it does not start as a zip archive)")
    find_end = getattr(zipfile, "_EndRecData", None)  # private, but the very parse ZipFile runs
    end = find_end(file) if find_end is not None else None
    if end is not None and end[zipfile._ECD_SIZE] > limits.max_directory_bytes:
        raise _refuse(error, f"{shown} lists far more entries than {limits.kind} has")
    file.seek(0)


def _checked_members(archive: zipfile.ZipFile, shown: str, limits: NpzLimits,
                     error: ErrorFactory) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    names = [info.filename for info in members]
    if len(members) > limits.max_entries or len(set(names)) != len(names):
        raise _refuse(error, f"{shown} holds {len(members)} entries ({len(set(names))} names); "
                             f"{limits.kind} has at most {limits.max_entries}, each named once")
    total = sum(info.file_size for info in members)
    if total > limits.max_bytes:
        raise _refuse(error, f"{shown} would unpack to {total:,} bytes; {limits.kind} is at most "
                             f"{limits.max_bytes:,}")
    for info in members:
        if not info.filename.endswith(".npy"):
            raise _refuse(error, f"{shown} holds {printable(info.filename, 80)}, "
                                 f"which is not a numpy array")
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(error, f"{shown} holds an encrypted or unusually compressed entry "
                                 f"({printable(info.filename, 80)})")
    return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str, limits: NpzLimits,
                 error: ErrorFactory) -> np.ndarray:
    """One array, after its npy header has been checked against the size its zip entry declares."""
    name = printable(info.filename[:-4], 80)
    with archive.open(info) as member:
        version = npy.read_magic(member)
        if version not in ((1, 0), (2, 0)):
            raise _refuse(error, f"{shown}: array {name} uses npy format {version}, "
                                 f"which this app does not read")
        read_header = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
        shape, _fortran_order, dtype = read_header(member)
        if dtype.hasobject:
            raise _refuse(error, f"{shown}: array {name} holds Python objects (a pickle), "
                                 f"which {limits.kind} never does; refused unread")
        if dtype.kind not in "biufcU" or dtype.subdtype is not None:
            raise _refuse(error, f"{shown}: array {name} has the type {printable(dtype, 60)}, "
                                 f"which {limits.kind} never has")
        if any(size < 0 for size in shape):
            raise _refuse(error, f"{shown}: array {name} has a negative size")
        declared = member.tell() + math.prod(shape) * dtype.itemsize
        if declared != info.file_size:
            raise _refuse(error, f"{shown}: array {name}'s header declares {declared:,} bytes, "
                                 f"but its zip entry holds {info.file_size:,}")
        member.seek(0)
        return npy.read_array(member, allow_pickle=False)
