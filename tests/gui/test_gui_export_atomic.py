"""Atomic writes under every export: a failure never leaves a half-written file or a temporary."""

import os

import pytest

from engine.core.atomic import OutputPathError, atomic_write, check_folder, write_bytes, write_text


class Boom(RuntimeError):
    pass


def names(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_writer_that_raises_mid_way_leaves_nothing(tmp_path):
    target = tmp_path / "out.bin"
    with pytest.raises(Boom):
        with atomic_write(target) as file:
            file.write(b"x" * 100_000)
            file.flush()
            assert any(name.endswith(".part") for name in names(tmp_path))  # the temporary exists
            raise Boom("the encoder failed")
    assert names(tmp_path) == []


def test_failure_keeps_the_previous_file_intact(tmp_path):
    target = write_bytes(tmp_path / "keep.png", b"old contents")
    with pytest.raises(Boom):
        with atomic_write(target) as file:
            file.write(b"new and half")
            raise Boom()
    assert target.read_bytes() == b"old contents"
    assert names(tmp_path) == ["keep.png"]


def test_os_error_inside_the_writer_becomes_output_path_error(tmp_path):
    with pytest.raises(OutputPathError, match="cannot write .*full.bin: the disk is full"):
        with atomic_write(tmp_path / "full.bin") as file:
            file.write(b"abc")
            raise OSError(28, "No space left on device")  # errno.ENOSPC
    assert names(tmp_path) == []


def test_keyboard_interrupt_also_cleans_up(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(tmp_path / "k.bin") as file:
            file.write(b"abc")
            raise KeyboardInterrupt
    assert names(tmp_path) == []


def test_success_replaces_and_leaves_no_temporary(tmp_path):
    write_bytes(tmp_path / "a.txt", b"first")
    path = write_text(tmp_path / "a.txt", "second ✓")
    assert path == tmp_path / "a.txt"
    assert path.read_text(encoding="utf-8") == "second ✓"
    assert names(tmp_path) == ["a.txt"]


def test_write_bytes_to_a_missing_folder_raises(tmp_path):
    with pytest.raises(OutputPathError, match="folder .*missing does not exist"):
        write_bytes(tmp_path / "missing" / "a.png", b"data")
    assert names(tmp_path) == []


def test_check_folder(tmp_path):
    assert check_folder(tmp_path) == tmp_path
    assert names(tmp_path) == []  # the write test leaves nothing
    with pytest.raises(OutputPathError, match="does not exist"):
        check_folder(tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputPathError, match="does not exist"):
        check_folder(tmp_path / "file")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root ignores directory permissions, so a read-only folder is writable")
def test_read_only_folder_raises_permission_denied(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputPathError, match="permission denied"):
            write_bytes(folder / "a.png", b"data")
        with pytest.raises(OutputPathError, match="permission denied"):
            check_folder(folder)
    finally:
        folder.chmod(0o700)
    assert names(folder) == []


def test_written_files_follow_the_umask_not_mkstemps_private_mode(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    path = write_bytes(tmp_path / "shared.png", b"png")
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # 0o644 under the usual umask 022
