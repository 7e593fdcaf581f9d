"""Damaged remembered settings never stop the app or a lab from opening: each damaged value is
ignored (the default is used), forgotten, and named in the status bar."""

from __future__ import annotations

from pathlib import Path

import pytest
from cost_lab_helpers import make_lab  # noqa: F401 (a fixture)
from PySide6.QtCore import QByteArray, QSettings

from engine import SimConfig
from engine.core.config import DEFAULT_SENTENCE
from gui.labs.cost.controls import DEFAULTS
from gui.resources import preset_named
from gui.window_geometry import centred_default

RAW_MAIN_SETTINGS = r"""[run]
config={not json
sentence=@Variant(\0\0\0\x7f\0\0\0\x1eQList)

[playback]
speed=abc

[window]
geometry=hello
state=@ByteArray(junk)

[session]
recent=1, @Variant(junk), 3
folder=a, b

[export]
folder=HUGE
"""
MAIN_KEYS = ["run/config", "run/sentence", "session/recent", "session/folder", "export/folder",
             "window/geometry", "window/state", "playback/speed"]  # in the order they are read

RAW_LAB_SETTINGS = r"""[cost_lab]
device=quantum
d_model=abc
hidden_size=nan
head_size=99999999999999999999999999
min_n=3
max_n=1e999
backward=maybe
repeats=@Variant(junk)
warmup=-5
dtype=float8
geometry=hello
folder=a, b
"""
LAB_KEYS = [f"cost_lab/{name}" for name in
            ("device", "d_model", "hidden_size", "head_size", "min_n", "max_n", "backward",
             "repeats", "warmup", "dtype", "geometry", "folder")]


def write_raw(path: str | Path, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8")


def status(window) -> str:
    return window.notice.removesuffix(".")


def assert_defaults(window) -> None:
    assert window.parameters.config() == SimConfig().replace(**preset_named("Readable").values)
    assert window.sentence_bar.sentence == DEFAULT_SENTENCE
    assert window.transport.speed_box.value() == 2.0
    assert window.sessions.recent() == []
    fitted = centred_default(window.screen().availableGeometry()).size()  # the default size, fitted
    assert window.size() == fitted.expandedTo(window.minimumSizeHint())


# ---- the main window --------------------------------------------------------------------------

def test_a_file_of_junk_values_opens_with_defaults_and_names_every_key(make_window, settings_path):
    write_raw(settings_path, RAW_MAIN_SETTINGS.replace("HUGE", "x" * 100_000))
    window = make_window(tiny=False, show=True)
    assert_defaults(window)
    assert status(window) == f"Ignored damaged remembered settings: {', '.join(MAIN_KEYS)}"
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    assert not any(settings.contains(key) for key in MAIN_KEYS)  # forgotten: named only once
    again = make_window(tiny=False)
    assert status(again) == ""


WRONG_VALUES = [
    ("run/config", ["d_model", 4]),
    ("run/config", '{"d_model": NaN}'),
    ("run/config", '{"d_model": 1e999}'),
    ("run/config", '{"d_model": 4, "no_such_key": 1}'),
    ("run/config", "{" * 100_000),
    ("run/config", 42),
    ("run/sentence", ["The", "cat"]),
    ("run/sentence", "word " * 20_000),  # beyond the longest sentence the app runs
    ("run/sentence", "   "),
    ("run/sentence", 3.5),
    ("playback/speed", "abc"),
    ("playback/speed", float("nan")),
    ("playback/speed", "1e999"),
    ("playback/speed", 1000),
    ("playback/speed", [1, 2]),
    ("playback/speed", True),
    ("window/geometry", "a string"),
    ("window/geometry", QByteArray(b"not a geometry")),
    ("window/state", 12),
    ("window/state", QByteArray(b"\x00\xff" * 50)),
    ("session/recent", {"a": 1}),
    ("session/recent", [1, 2]),
    ("session/recent", ["/tmp/a.json"] * 100),
    ("session/recent", "p" * 100_000),
    ("session/folder", ["a", "b"]),
    ("session/folder", "f" * 10_000),
    ("export/folder", 42),
    ("export/folder", ""),
]


@pytest.mark.parametrize("key, value", WRONG_VALUES,
                         ids=[f"{key}-{type(value).__name__}-{index}"
                              for index, (key, value) in enumerate(WRONG_VALUES)])
def test_a_value_of_the_wrong_type_is_ignored_and_named(make_window, settings_path, key, value):
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    settings.setValue(key, value)
    settings.sync()
    window = make_window(tiny=False, show=True)
    assert_defaults(window)
    assert status(window) == f"Ignored a damaged remembered setting: {key}"
    assert not settings.contains(key)


def test_good_values_beside_a_damaged_one_are_kept(make_window, settings_path):
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    settings.setValue("run/config", SimConfig(d_model=6, cell="gru").to_json())
    settings.setValue("run/sentence", "Remembered words")
    settings.setValue("playback/speed", "5.5")
    settings.setValue("session/recent", ["/tmp/a.json", "/tmp/b.json"])
    settings.setValue("export/folder", ["not", "a", "folder"])
    settings.sync()
    window = make_window(tiny=False)
    assert window.parameters.config() == SimConfig(d_model=6, cell="gru")
    assert window.sentence_bar.sentence == "Remembered words"
    assert window.transport.speed_box.value() == 5.5
    assert window.sessions.recent() == ["/tmp/a.json", "/tmp/b.json"]
    assert status(window) == "Ignored a damaged remembered setting: export/folder"


def test_settings_the_app_wrote_itself_are_not_damaged(qtbot, make_window):
    first = make_window(show=True)
    first.transport.set_speed(3.5)
    first.close()
    second = make_window(show=True)
    assert second.transport.speed_box.value() == 3.5
    assert status(second) == ""


def test_a_file_that_is_not_a_settings_file_is_named(make_window, settings_path):
    Path(settings_path).write_bytes(b"\x00\xff\xfe\x89PNG junk [[[\n=\n[run\nconfig\n" * 100)
    window = make_window(tiny=False, show=True)
    assert_defaults(window)
    assert status(window).startswith(f"Ignored a damaged remembered setting: the file "
                                     f"{settings_path} (not a settings file)")


# ---- the cost lab ------------------------------------------------------------------------------

def test_the_cost_lab_opens_with_defaults_on_junk_settings(make_lab, tmp_path):
    write_raw(tmp_path / "lab.ini", RAW_LAB_SETTINGS)
    window = make_lab(values={}, show=True)
    assert window.controls.values() == DEFAULTS
    assert status(window) == f"Ignored damaged remembered settings: {', '.join(LAB_KEYS)}"
    assert window.controls.config().lengths[-1] == DEFAULTS["max_n"]  # the form works as new


LAB_WRONG_VALUES = [
    ("d_model", [1, 2]),
    ("d_model", 10**12),
    ("d_model", "1" * 5000),
    ("backward", 3),
    ("repeats", True),
    ("max_n", float("nan")),
    ("max_n", 100),  # not one of the lengths offered
    ("device", ["cpu"]),
    ("geometry", QByteArray(b"junk")),
    ("folder", 7),
]


@pytest.mark.parametrize("name, value", LAB_WRONG_VALUES,
                         ids=[f"{name}-{index}" for index, (name, value) in enumerate(LAB_WRONG_VALUES)])
def test_a_cost_lab_value_of_the_wrong_type_is_ignored_and_named(make_lab, tmp_path, name, value):
    settings = QSettings(str(tmp_path / "lab.ini"), QSettings.Format.IniFormat)
    settings.setValue("cost_lab/d_model", 64)  # a good value beside it stays
    if name != "d_model":
        settings.setValue(f"cost_lab/{name}", value)
    else:
        settings.setValue("cost_lab/repeats", 3)
        settings.setValue("cost_lab/d_model", value)
    settings.sync()
    window = make_lab(values={}, show=True)
    kept = {"repeats": 3} if name == "d_model" else {"d_model": 64}
    expected = {**DEFAULTS, **kept}
    assert window.controls.values() == expected
    assert status(window) == f"Ignored a damaged remembered setting: cost_lab/{name}"
    assert not settings.contains(f"cost_lab/{name}")


def test_the_cost_lab_opens_from_the_main_window_on_damaged_settings(make_window, settings_path):
    write_raw(settings_path, RAW_LAB_SETTINGS + "\n[run]\nsentence=Kept words\n")
    window = make_window(tiny=False)
    assert window.sentence_bar.sentence == "Kept words" and status(window) == ""
    window.show_cost_lab()
    lab = window.cost_lab
    try:
        assert lab.isVisible()
        assert lab.controls.values() == DEFAULTS
        assert status(lab) == f"Ignored damaged remembered settings: {', '.join(LAB_KEYS)}"
    finally:
        lab.close()
