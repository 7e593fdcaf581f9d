"""Widgets made from a config field's metadata (engine/core/fields.py): a spin box over a range, a
combo box over choices, a check box over a flag; with one way to read, show and watch each."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox, QWidget

from engine.core.fields import Choice, FieldSpec, Flag, FloatRange, IntRange
from gui import style

INT32_MAX = 2**31 - 1  # a QSpinBox's largest value
WHOLE = "whole_numbers"  # property of a QDoubleSpinBox that holds an IntRange's values


def field_widget(field: dataclasses.Field, spec: FieldSpec) -> QWidget:
    """The widget for one field, its range or choices set and its tooltip from the metadata."""
    rule = spec.rule
    if isinstance(rule, IntRange):
        widget = _int_box(rule)
    elif isinstance(rule, FloatRange):
        widget = _float_box(rule)
    elif isinstance(rule, Choice):
        widget = _combo((choice, choice) for choice in rule.choices)
    elif isinstance(rule, Flag) and rule.texts:
        widget = _combo(zip(rule.texts, (False, True)))
    elif isinstance(rule, Flag):
        widget = QCheckBox()
    else:
        raise ValueError(f"{field.name}: no widget shows the rule {rule!r}")
    widget.setToolTip(spec.tooltip)
    return widget


def _int_box(rule: IntRange) -> QSpinBox | QDoubleSpinBox:
    if rule.high > INT32_MAX:  # beyond a QSpinBox's signed 32 bits; a double holds it exactly
        box = QDoubleSpinBox()
        box.setDecimals(0)
        box.setProperty(WHOLE, True)
    else:
        box = QSpinBox()
    box.setRange(rule.low, rule.high)
    box.setKeyboardTracking(False)
    return box


def _float_box(rule: FloatRange) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(rule.low, rule.high)
    box.setSingleStep(rule.step)
    box.setDecimals(rule.decimals)
    box.setKeyboardTracking(False)
    return box


def _combo(items) -> QComboBox:
    box = QComboBox()
    for text, value in items:
        box.addItem(text, value)
    return box


def edited_signal(widget: QWidget):
    """The signal a widget sends when the user changes its value."""
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QCheckBox):
        return widget.toggled
    return widget.valueChanged


def widget_value(widget: QWidget, default=None):
    """The value a widget shows. A check box turns `default` (its field's) over when checked."""
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked() != default
    if _holds_whole_numbers(widget) and isinstance(widget, QDoubleSpinBox):
        return int(widget.value())
    return widget.value()


def show_value(widget: QWidget, value, default=None) -> bool:
    """Show `value`; False (and nothing changed) when the widget cannot: a choice it lacks, a
    number of the wrong kind or out of its range."""
    if isinstance(widget, QComboBox):
        index = widget.findData(value)
        if index >= 0:
            widget.setCurrentIndex(index)
        return index >= 0
    if isinstance(widget, QCheckBox):
        if not isinstance(value, bool):
            return False
        widget.setChecked(value != default)
        return True
    kinds = int if _holds_whole_numbers(widget) else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) \
            or not widget.minimum() <= value <= widget.maximum():
        return False
    widget.setValue(value)
    return True


def _holds_whole_numbers(widget: QWidget) -> bool:
    return isinstance(widget, QSpinBox) or bool(widget.property(WHOLE))


class FieldErrors(dict):
    """Field name -> the hidden red label under its widget (style.error_label), where a form
    shows the engine's message for the field it rejected."""

    def __init__(self, names):
        super().__init__((name, style.error_label()) for name in names)

    def show(self, name: str, text: str) -> bool:
        """Show `text` under the field; False when the form has no such field."""
        label = self.get(name)
        if label is None:
            return False
        label.setText(text)
        label.setVisible(True)
        return True

    def clear_all(self) -> None:
        for label in self.values():
            label.setText("")
            label.setVisible(False)

    def shown(self) -> dict[str, str]:
        """The messages shown now, by field."""
        return {name: label.text() for name, label in self.items() if label.text()}
