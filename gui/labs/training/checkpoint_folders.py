"""The checkpoint folders "Show in the simulator" writes (one per weight digest, under
trained-models/ beside the settings file), bounded: the most recent few stay, older ones this app
wrote are removed. Nothing else is touched, links are never followed, and problems are reported."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

ROOT_NAME = "trained-models"  # beside the settings file
KEPT_FOLDERS = 8  # the most recent checkpoint folders kept; a session naming an older one says so
FOLDER_NAME = re.compile(r"[0-9a-f]{16}")  # the first 16 hex digits of the weights' digest
RECURRENT_FILES = ("rnn.npz", "lstm.npz", "gru.npz")  # engine/labs/training/models.py's CELL_KINDS
TRANSFORMER_FILE = "transformer.npz"


def written_by_us(folder: os.DirEntry) -> list[Path] | None:
    """The two checkpoint files of a folder "Show in the simulator" wrote, or None for anything
    else: a link, a name that is no digest, other entries, files that are not regular, or a
    folder that cannot be read."""
    try:
        return _checkpoint_files(folder)
    except OSError:
        return None


def _checkpoint_files(folder: os.DirEntry) -> list[Path] | None:
    if folder.is_symlink() or not folder.is_dir(follow_symlinks=False) \
            or not FOLDER_NAME.fullmatch(folder.name):
        return None
    with os.scandir(folder.path) as entries:
        inside = {entry.name: entry for entry in entries}
    recurrent = [name for name in RECURRENT_FILES if name in inside]
    if len(inside) != 2 or TRANSFORMER_FILE not in inside or len(recurrent) != 1:
        return None
    if not all(stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode)
               for entry in inside.values()):
        return None
    return [Path(folder.path) / name for name in inside]


def root_folder(settings) -> Path:
    """Where "Show in the simulator" keeps the models it shows: beside the settings file."""
    return Path(settings.fileName()).absolute().parent / ROOT_NAME


def newest_first(root: Path) -> list[tuple[os.DirEntry, list[Path]]]:
    """The checkpoint folders under `root` this app wrote, each with its two files, the most
    recently modified first. OSError when `root` cannot be listed."""
    with os.scandir(root) as entries:
        ours = [(entry, files) for entry in entries
                if (files := written_by_us(entry)) is not None]
    return sorted(ours, key=lambda item: item[0].stat(follow_symlinks=False).st_mtime,
                  reverse=True)


def prune(root: Path, in_use: Path, keep: int = KEPT_FOLDERS) -> list[str]:
    """Remove the checkpoint folders under `root` beyond the `keep` most recent (by modification
    time), never `in_use` and never anything this app did not write; returns a message per
    folder that could not be removed (nothing is raised)."""
    try:
        by_age = newest_first(root)
    except OSError as error:
        return [f"cannot list {root}: {error.strerror or error}"]
    in_use = Path(in_use).absolute()
    problems = []
    for folder, files in by_age[keep:]:
        if Path(folder.path).absolute() == in_use:
            continue
        try:
            for path in files:
                path.unlink()
            os.rmdir(folder.path)
        except OSError as error:
            problems.append(f"cannot remove the old checkpoint folder {folder.path}: "
                            f"{error.strerror or error}")
    return problems


def mark_recent(folder: Path) -> None:
    """Count a reused folder (the same weights shown again) as the most recent."""
    try:
        os.utime(folder)
    except OSError:
        pass  # its age only decides when it is removed
