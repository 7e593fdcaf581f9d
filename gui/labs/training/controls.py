"""The training lab's settings, one row per TrainConfig field made from its metadata (the model
list as one check box per model), with the engine's validation errors beside their field.
Choosing a task brings its own defaults (config.TASK_DEFAULTS) into the fields left at the
previous task's."""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QGridLayout, QLabel, QSpinBox, QVBoxLayout,
                               QWidget)

from engine.core.fields import Flag, default_of, described_fields
from engine.labs.training.config import MODEL_KINDS, TASK_DEFAULTS, TrainConfig
from engine.labs.training.tasks import TASKS
from gui.views.field_widgets import (FieldErrors, edited_signal, field_widget, show_value,
                                     widget_value)

MODEL_NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU", "mingru": "minGRU",
               "transformer": "Transformer"}
SPECS = {field.name: (field, spec) for field, spec in described_fields(TrainConfig)}
FIELDS = tuple(SPECS)
DEFAULTS = {name: default_of(field) for name, (field, _spec) in SPECS.items()}
DEFAULTS["models"] = tuple(DEFAULTS["models"].split(","))  # the field's default is its flag text
FLAGS = {name for name, (_field, spec) in SPECS.items() if isinstance(spec.rule, Flag)}


def task_defaults(task: str) -> dict:
    """Every field a task has its own default for, with that task's value (the general default
    where this task keeps it)."""
    names = {name for values in TASK_DEFAULTS.values() for name in values}
    return {name: TASK_DEFAULTS.get(task, {}).get(name, DEFAULTS[name]) for name in names}


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
            math.isclose(a, b, rel_tol=1e-9)
    return a == b


class ModelChoice(QWidget):
    """One check box per model kind; the value is the checked kinds, in MODEL_KINDS order."""

    def __init__(self, tip: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.boxes = {kind: QCheckBox(MODEL_NAMES[kind]) for kind in MODEL_KINDS}
        layout = QGridLayout(self)  # two by two: the side panel stays narrow
        layout.setContentsMargins(0, 0, 0, 0)
        for index, box in enumerate(self.boxes.values()):
            box.setToolTip(tip)
            layout.addWidget(box, index // 2, index % 2)
        self.setToolTip(tip)

    def value(self) -> tuple[str, ...]:
        return tuple(kind for kind, box in self.boxes.items() if box.isChecked())

    def set_value(self, kinds) -> bool:
        if not isinstance(kinds, (tuple, list)) or any(k not in self.boxes for k in kinds):
            return False
        for kind, box in self.boxes.items():
            box.setChecked(kind in kinds)
        return True


class TrainingControls(QWidget):
    """A form over TrainConfig's fields; `config()` validates through the engine."""

    values_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.widgets: dict[str, QWidget] = {}
        for name, (field, spec) in SPECS.items():
            self.widgets[name] = (ModelChoice(spec.tooltip or spec.help) if name == "models"
                                  else field_widget(field, spec))
            if isinstance(self.widgets[name], QSpinBox):
                self.widgets[name].setAccelerated(True)
        self._describe_tasks()
        self.errors = FieldErrors(FIELDS)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, (_field, spec) in SPECS.items():
            label = QLabel(spec.shown_label)
            label.setToolTip(self.widgets[name].toolTip())
            form.addRow(label, self.widgets[name])
            form.addRow("", self.errors[name])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        self.set_values(DEFAULTS)  # and the task whose defaults the fields show
        self._connect()

    def _describe_tasks(self) -> None:
        box = self.widgets["task"]
        for index in range(box.count()):
            task = TASKS[box.itemData(index)]
            box.setItemText(index, task.title)
            box.setItemData(index, task.description, 3)  # Qt.ToolTipRole

    def _connect(self) -> None:
        edited_signal(self.widgets["task"]).connect(self._on_task_chosen)  # first: values_changed
        for name, widget in self.widgets.items():
            if name == "models":
                for box in widget.boxes.values():
                    box.toggled.connect(self._on_widget_edited)
            else:
                edited_signal(widget).connect(self._on_widget_edited)

    # -- values -----------------------------------------------------------------------------------
    def values(self) -> dict:
        """The widgets' values by TrainConfig field (models as a tuple of kinds)."""
        values = {}
        for name, widget in self.widgets.items():
            if name == "models":
                values[name] = widget.value()
            else:  # a check box shows its field's value itself: checked is True
                values[name] = widget_value(widget, False if name in FLAGS else None)
        return values

    def set_values(self, values: dict) -> list[str]:
        """Show values; returns the names of those skipped (unknown, or no widget offers them)."""
        skipped = []
        blockers = [QSignalBlocker(w) for w in self.widgets.values()]
        blockers += [QSignalBlocker(b) for b in self.widgets["models"].boxes.values()]
        try:
            for name, value in values.items():
                widget = self.widgets.get(name)
                if widget is None:
                    shown = False
                elif name == "models":
                    shown = widget.set_value(value)
                else:
                    shown = show_value(widget, value, False if name in FLAGS else None)
                if not shown:
                    skipped.append(name)
        finally:
            for blocker in blockers:
                blocker.unblock()
        self._task = widget_value(self.widgets["task"])
        return skipped

    def config(self) -> TrainConfig:
        """The TrainConfig the widgets show; raises engine ConfigError naming the field."""
        return TrainConfig(**self.values())

    # -- errors -----------------------------------------------------------------------------------
    def show_error(self, field: str, message: str) -> bool:
        """Show `message` under the field's widget; False when no widget shows that field."""
        return field in self.errors and self.errors.show(
            field, f"{SPECS[field][1].shown_label} {message}")

    def clear_errors(self) -> None:
        self.errors.clear_all()

    def shown_errors(self) -> dict[str, str]:
        return self.errors.shown()

    def _on_task_chosen(self, *_args) -> None:
        """The new task's defaults replace the old task's where the user left them."""
        task = widget_value(self.widgets["task"])
        old, new = task_defaults(self._task), task_defaults(task)
        shown = self.values()
        self.set_values({name: value for name, value in new.items()
                         if _same(shown[name], old[name])})
        self._task = task

    def _on_widget_edited(self, *_args) -> None:
        self.clear_errors()
        self.values_changed.emit()
