"""The cost lab's settings: device, widths, the range of n, pass and repeats, a tooltip on each,
a memory estimate for the longest n, and the engine's validation errors beside their field."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget)

from engine.core.errors import ConfigError
from engine.labs.cost import config as lab_config
from engine.labs.cost import sweep as lab_sweep
from engine.labs.cost.config import LabConfig, default_lengths, require_device
from engine.labs.cost.sweep import bytes_text
from gui import style

POWERS_OF_TWO = tuple(2 ** k for k in range(17))  # 1 ... 65536, lab_config.LENGTH_RANGE
MODES = (("forward only", False), ("forward + backward", True))
FIELDS = ("device", "d_model", "hidden_size", "head_size", "min_n", "max_n", "backward",
          "repeats", "warmup", "threads", "dtype")
FIELD_ALIASES = {"lengths": "max_n"}  # engine fields shown beside another widget
CUDA_CHECKING = "cuda (checking…)"
TIPS = {
    "device": "Where the four implementations run. cuda appears when torch sees a GPU.",
    "d_model": "D: the width of every word vector. Table 1's d: attention is cheaper per layer "
               "while n < d.",
    "hidden_size": "H: the width of the RNN's hidden state (each step multiplies by an H x H "
                   "matrix).",
    "head_size": "hs: the width of the one attention head's queries, keys and values.",
    "min_n": "The shortest sentence measured (words). Lengths double from here.",
    "max_n": "The longest sentence measured (words). Attention keeps n x n matrices: the "
             "memory they need is estimated below and checked before each n.",
    "backward": "Time the forward pass only, or forward plus the backward pass of output.sum().",
    "repeats": "Timed runs per implementation and n: the plot shows their median and the "
               "fastest-to-slowest spread.",
    "warmup": "Untimed runs before the timed ones (caches, kernel selection).",
    "threads": "CPU threads torch may use for each operation (0: torch's default). On a busy "
               "machine several threads wait for free cores and make timings unsteady; 1 "
               "thread measures steadily, many show what a parallel CPU does at long n.",
    "dtype": "The element type of weights and inputs.",
}
LABELS = {"device": "Device", "d_model": "Width d (D)", "hidden_size": "Hidden size H",
          "head_size": "Head size hs", "min_n": "Shortest n", "max_n": "Longest n",
          "backward": "Pass", "repeats": "Repeats", "warmup": "Warm-up runs",
          "threads": "CPU threads", "dtype": "Element type"}
DEFAULTS = {"device": "cpu", "d_model": 512, "hidden_size": 512, "head_size": 64, "min_n": 16,
            "max_n": 4096, "backward": False, "repeats": 5, "warmup": 1, "threads": 0,
            "dtype": "float32"}


def _spin(bounds: tuple[int, int]) -> QSpinBox:
    box = QSpinBox()
    box.setRange(*bounds)
    box.setKeyboardTracking(False)
    box.setAccelerated(True)
    return box


def _threads_box() -> QSpinBox:
    box = _spin(lab_config.THREADS_RANGE)
    box.setSpecialValueText("torch's default")  # shown for 0
    return box


def _lengths_box() -> QComboBox:
    box = QComboBox()
    for n in POWERS_OF_TWO:
        box.addItem(str(n), n)
    return box


class CostLabControls(QWidget):
    """A form over the LabConfig fields; `config()` validates through the engine."""

    values_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.widgets = self._build_widgets()
        self.errors = {name: style.error_label() for name in FIELDS}
        self.estimate = QLabel("")
        self.estimate.setWordWrap(True)
        self.estimate.setToolTip("Peak memory of the attention matrices at the longest n, "
                                 "estimated before the sweep; an n that does not fit is refused.")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name in FIELDS:
            label = QLabel(LABELS[name])
            label.setToolTip(TIPS[name])
            self.widgets[name].setToolTip(TIPS[name])
            form.addRow(label, self.widgets[name])
            form.addRow("", self.errors[name])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.estimate)
        self.set_values(DEFAULTS)
        self._connect()

    def _build_widgets(self) -> dict:
        device = QComboBox()
        device.addItem("cpu", "cpu")
        device.addItem(CUDA_CHECKING, "cuda")
        mode = QComboBox()
        for text, backward in MODES:
            mode.addItem(text, backward)
        dtype = QComboBox()
        for name in lab_config.DTYPES:
            dtype.addItem(name, name)
        return {"device": device, "d_model": _spin(lab_config.WIDTH_RANGE),
                "hidden_size": _spin(lab_config.WIDTH_RANGE),
                "head_size": _spin(lab_config.HEAD_SIZE_RANGE), "min_n": _lengths_box(),
                "max_n": _lengths_box(), "backward": mode,
                "repeats": _spin(lab_config.REPEATS_RANGE), "warmup": _spin(lab_config.WARMUP_RANGE),
                "threads": _threads_box(), "dtype": dtype}

    def _connect(self) -> None:
        for widget in self.widgets.values():
            signal = (widget.currentIndexChanged if isinstance(widget, QComboBox)
                      else widget.valueChanged)
            signal.connect(self._on_widget_edited)

    # -- values -----------------------------------------------------------------------------------
    def values(self) -> dict:
        """The widgets' values by LabConfig field (plus min_n and max_n for the lengths)."""
        values = {}
        for name, widget in self.widgets.items():
            values[name] = widget.currentData() if isinstance(widget, QComboBox) else widget.value()
        return values

    def set_values(self, values: dict) -> list[str]:
        """Show values; returns the names of those skipped: unknown keys, and values that no
        widget offers (a choice it lacks, a number out of its range)."""
        skipped = []
        with _blocked(self.widgets.values()):
            for name, value in values.items():
                if not self._show_value(self.widgets.get(name), value):
                    skipped.append(name)
        self._update_estimate()
        return skipped

    @staticmethod
    def _show_value(widget, value) -> bool:
        if isinstance(widget, QComboBox):
            index = widget.findData(value)
            if index >= 0:
                widget.setCurrentIndex(index)
            return index >= 0
        if isinstance(widget, QSpinBox) and isinstance(value, int) and not isinstance(value, bool) \
                and widget.minimum() <= value <= widget.maximum():
            widget.setValue(value)
            return True
        return False

    def config(self) -> LabConfig:
        """The LabConfig the widgets show, on a device this machine has; raises engine
        ConfigError naming the field."""
        v = self.values()
        lengths = default_lengths(v["min_n"], v["max_n"])
        config = LabConfig(device=v["device"], d_model=v["d_model"], hidden_size=v["hidden_size"],
                           head_size=v["head_size"], lengths=lengths, backward=v["backward"],
                           repeats=v["repeats"], warmup=v["warmup"], threads=v["threads"],
                           dtype=v["dtype"])
        require_device(config)
        return config

    # -- errors -----------------------------------------------------------------------------------
    def show_error(self, field: str, message: str) -> bool:
        """Show `message` under the field's widget; False when no widget shows that field."""
        name = FIELD_ALIASES.get(field, field)
        label = self.errors.get(name)
        if label is None:
            return False
        label.setText(f"{LABELS[name]} {message}")
        label.setVisible(True)
        return True

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.setText("")
            label.setVisible(False)

    def shown_errors(self) -> dict[str, str]:
        return {name: label.text() for name, label in self.errors.items() if label.text()}

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
