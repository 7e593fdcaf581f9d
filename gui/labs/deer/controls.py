"""The DEER lab's settings, one row per DeerLabConfig field made from its metadata (the tolerance
as powers of ten, the longest swept n as powers of two), with the engine's validation errors
beside their field."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from engine.core.fields import default_of, described_fields
from engine.labs.deer.config import DeerLabConfig
from gui.views.field_widgets import (FieldErrors, edited_signal, field_widget, show_value,
                                     widget_value)

SPECS = {field.name: (field, spec) for field, spec in described_fields(DeerLabConfig)}
FIELDS = tuple(SPECS)
DEFAULTS = {name: default_of(field) for name, (field, _spec) in SPECS.items()}
TOLERANCES = tuple(10.0 ** -k for k in range(4, 16))  # 1e-4 ... 1e-15
LONGEST_LENGTHS = tuple(2 ** k for k in range(3, 13))  # 8 ... 4096


def _choice_box(values, text, tip: str) -> QComboBox:
    box = QComboBox()
    for value in values:
        box.addItem(text(value), value)
    box.setToolTip(tip)
    return box


def _widget(name: str) -> QWidget:
    field, spec = SPECS[name]
    if name == "tolerance":
        return _choice_box(TOLERANCES, lambda v: f"{v:.0e}", spec.tooltip)
    if name == "longest_n":
        return _choice_box(LONGEST_LENGTHS, str, spec.tooltip)
    widget = field_widget(field, spec)
    if isinstance(widget, QSpinBox):
        widget.setAccelerated(True)
    return widget


class DeerLabControls(QWidget):
    """A form over DeerLabConfig's fields; `config()` validates through the engine."""

    values_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.widgets = {name: _widget(name) for name in FIELDS}
        self.errors = FieldErrors(FIELDS)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, (_field, spec) in SPECS.items():
            label = QLabel(spec.shown_label)
            label.setToolTip(spec.tooltip)
            form.addRow(label, self.widgets[name])
            form.addRow("", self.errors[name])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        self.set_values(DEFAULTS)
        for widget in self.widgets.values():
            edited_signal(widget).connect(self._on_widget_edited)

    def values(self) -> dict:
        return {name: widget_value(widget) for name, widget in self.widgets.items()}

    def set_values(self, values: dict) -> list[str]:
        """Show values; returns the names of those skipped (unknown, or no widget offers them)."""
        skipped = []
        blockers = [QSignalBlocker(widget) for widget in self.widgets.values()]
        try:
            for name, value in values.items():
                widget = self.widgets.get(name)
                if widget is None or not show_value(widget, value):
                    skipped.append(name)
        finally:
            for blocker in blockers:
                blocker.unblock()
        return skipped

    def config(self) -> DeerLabConfig:
        """The DeerLabConfig the widgets show; raises engine ConfigError naming the field."""
        return DeerLabConfig(**self.values())

    def show_error(self, field: str, message: str) -> bool:
        """Show `message` under the field's widget; False when no widget shows that field."""
        return field in self.errors and self.errors.show(
            field, f"{SPECS[field][1].shown_label} {message}")

    def clear_errors(self) -> None:
        self.errors.clear_all()

    def shown_errors(self) -> dict[str, str]:
        return self.errors.shown()

    def _on_widget_edited(self, *_args) -> None:
        self.clear_errors()
        self.values_changed.emit()
