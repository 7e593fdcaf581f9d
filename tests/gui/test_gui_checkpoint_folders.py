"""Checkpoint folders of "Show in the simulator" stay bounded: the most recent ones are kept,
older ones this app wrote are removed (never the one in use, never a link, a foreign folder or
anything outside trained-models/), a failed removal is reported, and a session naming a removed
folder says which checkpoint is missing."""

import json
import os
import time
from pathlib import Path

from training_lab_helpers import TINY, make_lab, wait_idle  # noqa: F401 (a fixture)

from gui.labs.training import checkpoint_folders
from gui.labs.training.checkpoint_folders import KEPT_FOLDERS, prune

TIMEOUT_MS = 30_000


def _fake_folder(root: Path, index: int, age_seconds: float, recurrent="rnn.npz") -> Path:
    """A folder as the app writes it, `age_seconds` old."""
    folder = root / f"{index:016x}"
    folder.mkdir(parents=True)
    for name in (recurrent, "transformer.npz"):
        (folder / name).write_bytes(b"weights")
    stamp = time.time() - age_seconds
    os.utime(folder, (stamp, stamp))
    return folder


def _folders(root: Path) -> set[str]:
    return {path.name for path in root.iterdir()}


def test_only_the_most_recent_folders_stay_and_the_one_in_use_too(tmp_path):
    root = tmp_path / "trained-models"
    folders = [_fake_folder(root, i, age_seconds=1000 - i) for i in range(KEPT_FOLDERS + 3)]
    oldest, in_use = folders[0], folders[1]
    assert prune(root, in_use=in_use) == []
    assert _folders(root) == {f.name for f in folders[3:]} | {in_use.name}
    assert not oldest.exists() and not folders[2].exists()


def test_what_the_app_did_not_write_is_never_touched(tmp_path):
    root = tmp_path / "trained-models"
    outside = _fake_folder(tmp_path / "elsewhere", 99, age_seconds=5000)
    (root / "abcdef0123456789").parent.mkdir(parents=True)
    (root / "abcdef0123456789").symlink_to(outside, target_is_directory=True)  # a link
    notes = _fake_folder(root, 1, age_seconds=4000)
    notes.rename(root / "my-notes")  # a name that is no digest
    extra = _fake_folder(root, 2, age_seconds=4000)
    (extra / "README.txt").write_text("mine")  # something the app never writes
    linked = root / f"{3:016x}"
    linked.mkdir()
    (linked / "rnn.npz").symlink_to(outside / "rnn.npz")  # linked files
    (linked / "transformer.npz").write_bytes(b"weights")
    old = _fake_folder(root, 4, age_seconds=3000)
    newest = _fake_folder(root, 5, age_seconds=0)
    assert prune(root, in_use=newest, keep=1) == []
    assert not old.exists()
    assert _folders(root) == {"abcdef0123456789", "my-notes", extra.name, linked.name,
                              newest.name}
    assert _folders(outside) == {"rnn.npz", "transformer.npz"}


def test_a_failed_removal_is_reported_not_raised(tmp_path, monkeypatch):
    root = tmp_path / "trained-models"
    old = _fake_folder(root, 1, age_seconds=100)
    newest = _fake_folder(root, 2, age_seconds=0)

    def refuse(path):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(checkpoint_folders.os, "rmdir", refuse)
    problems = prune(root, in_use=newest, keep=1)
    assert problems == [f"cannot remove the old checkpoint folder {old}: Permission denied"]
    assert prune(tmp_path / "missing", in_use=newest)[0].startswith("cannot list")


def _show_trained(qtbot, lab, seed=0) -> Path:
    lab.controls.set_values(dict(TINY, seed=seed))
    assert lab.start_training()
    wait_idle(qtbot, lab)
    assert lab.open_in_simulator()
    return lab.checkpoint_folder()


def test_showing_a_new_run_removes_the_oldest_folder(qtbot, make_lab, tmp_path):
    lab = make_lab()
    root = tmp_path / "trained-models"
    old = [_fake_folder(root, i, age_seconds=1000 - i) for i in range(KEPT_FOLDERS)]
    assert _show_trained(qtbot, lab) == root
    assert not old[0].exists() and all(folder.exists() for folder in old[1:])
    assert len(_folders(root)) == KEPT_FOLDERS
    assert "Note" not in lab.status_text


def test_the_lab_says_when_an_old_folder_could_not_be_removed(qtbot, make_lab, tmp_path,
                                                             monkeypatch):
    lab = make_lab()
    root = tmp_path / "trained-models"
    old = [_fake_folder(root, i, age_seconds=1000 - i) for i in range(KEPT_FOLDERS)]
    monkeypatch.setattr(checkpoint_folders.os, "rmdir",
                        lambda path: (_ for _ in ()).throw(OSError(16, "Device or resource busy")))
    _show_trained(qtbot, lab)
    assert lab.status_text.startswith("Shown in the main window")
    assert f"cannot remove the old checkpoint folder {old[0]}: Device or resource busy" \
        in lab.status_text


def test_a_session_naming_a_removed_folder_says_which_checkpoint_is_missing(
        qtbot, make_window, tmp_path, warnings):
    window = make_window(path=str(tmp_path / "first.ini"))
    window.show_training_lab()
    lab = window.training_lab
    root = _show_trained(qtbot, lab, seed=0)
    qtbot.waitUntil(lambda: window.weight_actions.shown is not None, timeout=TIMEOUT_MS)
    path = window.sessions.save(tmp_path / "trained.json")
    named = Path(json.loads(path.read_text(encoding="utf-8"))["weights"]["transformer"])
    for i in range(KEPT_FOLDERS):  # newer than the shown one
        _fake_folder(root, i, age_seconds=-100 - i)
    _show_trained(qtbot, lab, seed=1)  # other weights: a new folder, and the old one goes
    assert not named.parent.exists()
    lab.close()
    fresh = make_window(path=str(tmp_path / "second.ini"))
    assert fresh.sessions.open(path)
    qtbot.waitUntil(lambda: len(warnings) == 1, timeout=TIMEOUT_MS)
    title, text = warnings[0]
    assert title == "Could not open the session"
    assert "checkpoint" in text and str(named.parent) in text and "which is missing" in text
