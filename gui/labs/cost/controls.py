"""The cost lab's settings: device, widths, the range of n, pass and repeats, a tooltip on each,
a memory estimate for the longest n, and the engine's validation errors beside their field."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from engine.core.errors import ConfigError
from engine.core.fields import default_of, described_fields
from engine.labs.cost import sweep as lab_sweep
from engine.labs.cost.config import LabConfig, default_lengths, require_device
from engine.labs.cost.sweep import bytes_text
from gui import style
from gui.views.field_widgets import (FieldErrors, edited_signal, field_widget, show_value,
                                     widget_value)

POWERS_OF_TWO = tuple(2 ** k for k in range(17))  # 1 ... 65536, the engine's LENGTH_RANGE
LENGTH_FIELDS = ("min_n", "max_n")  # LabConfig.lengths, shown as two boxes of powers of two
FIELD_ALIASES = {"lengths": "max_n"}  # engine fields shown beside another widget
CUDA_CHECKING = "cuda (checking…)"
SHORTEST, *_, LONGEST = default_lengths()
LENGTH_TIPS = {
    "min_n": "The shortest sentence measured (words). Lengths double from here.",
    "max_n": "The longest sentence measured (words). Attention keeps n x n matrices: the "
             "memory they need is estimated below and checked before each n.",
}
LENGTH_LABELS = {"min_n": "Shortest n", "max_n": "Longest n"}
LENGTH_DEFAULTS = {"min_n": SHORTEST, "max_n": LONGEST}


class _Form:
    """The form's rows for a config class: one per described field in the dataclass's order,
    `lengths` as the two length boxes; with each row's label, tooltip and default."""

    def __init__(self, config_class):
        self.specs = {field.name: (field, spec) for field, spec in described_fields(config_class)}
        self.fields = tuple(name for field in self.specs
                            for name in (LENGTH_FIELDS if field == "lengths" else (field,)))
        self.tips = self._per_row(lambda field, spec: spec.tooltip, LENGTH_TIPS)
        self.labels = self._per_row(lambda field, spec: spec.shown_label, LENGTH_LABELS)
        self.defaults = self._per_row(lambda field, spec: default_of(field), LENGTH_DEFAULTS)

    def _per_row(self, from_field, for_lengths: dict) -> dict:
        return {name: for_lengths[name] if name in LENGTH_FIELDS else from_field(*self.specs[name])
                for name in self.fields}

    def widget(self, name: str) -> QWidget:
        """The widget for one row, from its field's metadata (the length boxes excepted)."""
        if name in LENGTH_FIELDS:
            box = _lengths_box()
            box.setToolTip(self.tips[name])
            return box
        widget = field_widget(*self.specs[name])
        if isinstance(widget, QSpinBox):
            widget.setAccelerated(True)
        if name == "threads":
            widget.setSpecialValueText("torch's default")  # shown for 0
        if name == "device":
            widget.setItemText(widget.findData("cuda"), CUDA_CHECKING)
        return widget


LAB_FORM = _Form(LabConfig)
FIELDS, DEFAULTS = LAB_FORM.fields, LAB_FORM.defaults  # the rows' names and first values


def _lengths_box() -> QComboBox:
    box = QComboBox()
    for n in POWERS_OF_TWO:
        box.addItem(str(n), n)
    return box


class CostLabControls(QWidget):
    """A form over the LabConfig fields; `config()` validates through the engine."""

    values_changed = Signal()
    config_class = LabConfig  # the form shows one row per described field of this class

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._form = _Form(self.config_class)
        self.widgets = {name: self._form.widget(name) for name in self._form.fields}
        self.errors = FieldErrors(self._form.fields)
        self.estimate = QLabel("")
        self.estimate.setWordWrap(True)
        self.estimate.setToolTip("Peak memory of the attention matrices at the longest n, "
                                 "estimated before the sweep; an n that does not fit is refused.")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name in self._form.fields:
            label = QLabel(self._form.labels[name])
            label.setToolTip(self._form.tips[name])
            form.addRow(label, self.widgets[name])
            form.addRow("", self.errors[name])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.estimate)
        self.set_values(self._form.defaults)
        self._connect()

    def _connect(self) -> None:
        for widget in self.widgets.values():
            edited_signal(widget).connect(self._on_widget_edited)

    # -- values -----------------------------------------------------------------------------------
    def values(self) -> dict:
        """The widgets' values by LabConfig field (plus min_n and max_n for the lengths)."""
        return {name: widget_value(widget) for name, widget in self.widgets.items()}

    def set_values(self, values: dict) -> list[str]:
        """Show values; returns the names of those skipped: unknown keys, and values that no
        widget offers (a choice it lacks, a number out of its range)."""
        skipped = []
        with _blocked(self.widgets.values()):
            for name, value in values.items():
                widget = self.widgets.get(name)
                if widget is None or not show_value(widget, value):
                    skipped.append(name)
        self._update_estimate()
        return skipped

    def config(self) -> LabConfig:
        """The LabConfig the widgets show, on a device this machine has; raises engine
        ConfigError naming the field."""
        v = self.values()
        lengths = default_lengths(v["min_n"], v["max_n"])
        config = self.config_class(**{name: v[name] for name in self._form.specs if name != "lengths"},
                                   lengths=lengths)
        require_device(config)
        return config

    # -- errors -----------------------------------------------------------------------------------
    def show_error(self, field: str, message: str) -> bool:
        """Show `message` under the field's widget; False when no widget shows that field."""
        name = FIELD_ALIASES.get(field, field)
        return name in self.errors and self.errors.show(
            name, f"{self._form.labels[name]} {message}")

    def clear_errors(self) -> None:
        self.errors.clear_all()

    def shown_errors(self) -> dict[str, str]:
        return self.errors.shown()

    # -- the device list ---------------------------------------------------------------------------
    def set_cuda_status(self, available: bool, detail: str) -> None:
        """The probe's answer: enable 'cuda — GPU name', or disable 'cuda (no GPU visible)'."""
        box = self.widgets["device"]
        index = box.findData("cuda")
        model = box.model().item(index)
        box.setItemText(index, f"cuda — {detail}" if available else "cuda (no GPU visible)")
        box.setItemData(index, detail, Qt.ItemDataRole.ToolTipRole)
        model.setEnabled(available)
        if not available and box.currentData() == "cuda":
            self.show_error("device", f"is cuda, but {detail}; use cpu")

    # -- slots ------------------------------------------------------------------------------------
    def _on_widget_edited(self, *_args) -> None:
        self.clear_errors()
        self._update_estimate()
        self.values_changed.emit()

    def _update_estimate(self) -> None:
        """'n = 4096 needs about 302 MB for attention (21.9 GB free)': no torch needed on cpu."""
        v = self.values()
        try:
            config = LabConfig(d_model=v["d_model"], hidden_size=v["hidden_size"],
                               head_size=v["head_size"], lengths=(v["max_n"],),
                               backward=v["backward"], dtype=v["dtype"])
        except ConfigError:
            self.estimate.setText("")
            return
        needed = lab_sweep.memory_needed_bytes(config, v["max_n"])
        text = (f"Longest n = {v['max_n']} needs about {bytes_text(needed)} "
                f"for the attention matrices")
        kind = "muted"
        if v["device"] == "cpu":
            free = lab_sweep.available_memory_bytes("cpu")
            text += f"; {bytes_text(free)} is free now"
            if needed > free:
                text += ". The sweep will stop before it."
                kind = "error"
        self.estimate.setText(text + ("" if text.endswith(".") else "."))
        style.colour_text(self.estimate, kind)


class _blocked:
    """Block the signals of several widgets while a block runs."""

    def __init__(self, widgets):
        self._widgets = list(widgets)
        self._blockers = []

    def __enter__(self):
        self._blockers = [QSignalBlocker(widget) for widget in self._widgets]

    def __exit__(self, *exc):
        for blocker in self._blockers:
            blocker.unblock()
        self._blockers = []
