"""Choosing a task in the training lab's controls brings that task's own defaults (parity's
length, steps, batch, word-vector scale and mixed lengths) into the fields the user left
alone, and takes them back when another task is chosen."""

import pytest

from engine.labs.training.config import TASK_DEFAULTS, TrainConfig
from gui.labs.training.controls import DEFAULTS, TrainingControls


@pytest.fixture
def controls(qtbot):
    widget = TrainingControls()
    qtbot.addWidget(widget)
    return widget


def choose_task(controls, task: str) -> None:
    box = controls.widgets["task"]
    box.setCurrentIndex(box.findData(task))  # as a user's choice: the edit signal fires


def test_choosing_parity_shows_its_defaults_and_the_config_takes_them(controls):
    choose_task(controls, "parity")
    values = controls.values()
    for name, value in TASK_DEFAULTS["parity"].items():
        assert values[name] == pytest.approx(value) if isinstance(value, float) \
            else values[name] == value, name
    assert controls.config() == TrainConfig(task="parity", **TASK_DEFAULTS["parity"])


def test_another_task_brings_the_general_defaults_back(controls):
    choose_task(controls, "parity")
    choose_task(controls, "recall")
    values = controls.values()
    for name in TASK_DEFAULTS["parity"]:
        assert values[name] == DEFAULTS[name], name


def test_a_value_the_user_set_stays_when_the_task_changes(controls):
    controls.widgets["n"].setValue(24)
    controls.widgets["steps"].setValue(777)
    choose_task(controls, "parity")
    values = controls.values()
    assert values["n"] == 24 and values["steps"] == 777  # the user's, not parity's
    assert values["batch_lengths"] == "mixed"  # left alone: parity's
    controls.widgets["batch_size"].setValue(48)
    choose_task(controls, "first-word")
    values = controls.values()
    assert values["batch_size"] == 48 and values["batch_lengths"] == "fixed"


def test_restored_settings_are_not_overwritten_by_the_task_defaults(controls):
    controls.set_values({"task": "parity", "n": 12, "learning_rate": 0.02})
    values = controls.values()
    assert (values["task"], values["n"], values["learning_rate"]) == ("parity", 12, 0.02)
    choose_task(controls, "first-word")  # parity's defaults were not all in place: n stays 12
    assert controls.values()["n"] == 12
