"""The parameter dock: every engine option, named like its command-line flag, ranges enforced by the
widgets, a tooltip on each, presets, and the engine's own message beside a rejected field."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLabel,
                               QSpinBox, QVBoxLayout, QWidget)

from engine.core import config as limits
from engine.core.config import SimConfig
from engine.core.errors import ConfigError
from gui import style
from gui.resources import presets

DEBOUNCE_MS = 250  # wait for the user to stop typing in a spin box before re-running

# field: (label = command-line flag without dashes, tooltip)
FIELDS = {
    "d_model": ("d-model", "D: width of every word vector. The reference text uses 512; 8 is small "
                           "enough to read every number."),
    "hidden_size": ("hidden-size", "H: width of the RNN's hidden state, its only memory of the "
                                   "words so far."),
    "cell": ("cell", "The recurrent cell: rnn (Elman: h_t = act(W h_{t−1} + U x_t + b)), lstm or gru."),
    "activation": ("activation", "The Elman cell's activation. Its derivative bound γ (1 for tanh, "
                                 "¼ for sigmoid) sets how fast gradients can shrink."),
    "recurrent_scale": ("recurrent-scale", "Multiplies the recurrent weight matrix after the usual "
                                           "initialisation. Below about 1/(λ₁γ) gradients vanish; "
                                           "above they may explode."),
    "heads": ("heads", "Attention heads: each has its own Q, K and V."),
    "head_size": ("head-size", "d_k: width of each head's queries, keys and values (64 in the "
                               "reference text)."),
    "causal": ("causal", "Mask attention to later words, as a decoder does: every weight above "
                         "the diagonal becomes exactly 0."),
    "scaling": ("no-scaling", "Do not divide scores by √d_k. Unscaled scores have variance d_k, "
                              "so softmax rows collapse onto one word."),
    "positional": ("positional", "Add sinusoidal position vectors to the words before attention. "
                                 "Without them attention cannot tell word order."),
    "seed": ("seed", "Fixes every weight, word vector and readout: the same seed gives the same run."),
}


ACTIVATION_UNUSED_TIP = ("The lstm and gru cells use their own gates (sigmoid and tanh), so the "
                         "activation applies only to the rnn (Elman) cell.")


class ParameterPanel(QWidget):
    """Emits config_changed(SimConfig) after an edit settles and the values form a valid config,
    and preset_sentence_chosen(str) when a preset brings the sentence that shows its effect."""

    config_changed = Signal(object)
    preset_sentence_chosen = Signal(str)

    def __init__(self, config: SimConfig | None = None, parent=None):
        super().__init__(parent)
        self._presets = presets()
        self.preset_box = QComboBox()
        self.preset_box.addItem("Custom")
        for preset in self._presets:
            self.preset_box.addItem(preset.name)
            self.preset_box.setItemData(self.preset_box.count() - 1, preset.description,
                                        Qt.ItemDataRole.ToolTipRole)
        self.preset_box.setToolTip("Ready-made settings, each with a sentence that shows its effect; "
                                   "editing any value below makes it Custom")
        # Sized by a short name, not the longest preset's, so the dock stays narrow.
        self.preset_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset_box.setMinimumContentsLength(12)
        self.preset_box.currentIndexChanged.connect(self._on_preset_box_changed)
        self.widgets = self._build_widgets()
        self.errors = {name: style.error_label() for name in FIELDS}
        form = QFormLayout()
        form.addRow("preset", self.preset_box)
        for name, (label, tip) in FIELDS.items():
            caption = QLabel(label)
            caption.setToolTip(tip)
            self.widgets[name].setToolTip(tip)
            form.addRow(caption, self.widgets[name])
            form.addRow("", self.errors[name])
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit_if_valid)
        self.set_config(config or SimConfig())

    def _build_widgets(self) -> dict:
        def spin(bounds):
            box = QSpinBox()
            box.setRange(*bounds)
            box.setKeyboardTracking(False)
            return box

        scale = QDoubleSpinBox()
        scale.setRange(*limits.RECURRENT_SCALE_RANGE)
        scale.setSingleStep(0.05)
        scale.setDecimals(3)
        scale.setKeyboardTracking(False)
        widgets = {
            "d_model": spin(limits.D_MODEL_RANGE), "hidden_size": spin(limits.HIDDEN_SIZE_RANGE),
            "cell": QComboBox(), "activation": QComboBox(), "recurrent_scale": scale,
            "heads": spin(limits.HEADS_RANGE), "head_size": spin(limits.HEAD_SIZE_RANGE),
            "causal": QCheckBox(), "scaling": QCheckBox(), "positional": QComboBox(),
            "seed": self._seed_box(),
        }
        widgets["cell"].addItems(limits.CELLS)
        widgets["activation"].addItems(limits.ACTIVATIONS)
        widgets["positional"].addItems(limits.POSITIONALS)
        for name, widget in widgets.items():
            signal = (widget.currentIndexChanged if isinstance(widget, QComboBox) else
                      widget.toggled if isinstance(widget, QCheckBox) else widget.valueChanged)
            signal.connect(self._on_widget_edited)
        return widgets

    @staticmethod
    def _seed_box() -> QDoubleSpinBox:
        """Seeds go up to 2^32 - 1, beyond a QSpinBox's signed 32 bits; a double holds them exactly."""
        box = QDoubleSpinBox()
        box.setDecimals(0)
        box.setRange(*limits.SEED_RANGE)
        box.setKeyboardTracking(False)
        return box

    # -- reading and writing values ----------------------------------------------------------
    def values(self) -> dict:
        w = self.widgets
        return {
            "d_model": w["d_model"].value(), "hidden_size": w["hidden_size"].value(),
            "cell": w["cell"].currentText(), "activation": w["activation"].currentText(),
            "recurrent_scale": self._recurrent_scale(), "heads": w["heads"].value(),
            "head_size": w["head_size"].value(), "causal": w["causal"].isChecked(),
            "scaling": not w["scaling"].isChecked(), "positional": w["positional"].currentText(),
            "seed": int(w["seed"].value()),
        }

    def _recurrent_scale(self) -> float:
        """The box shows 3 decimals; a scale set from a session or the command line keeps its
        exact value until the user edits the box."""
        shown = self.widgets["recurrent_scale"].value()
        exact = getattr(self, "_exact_scale", shown)
        return exact if shown == round(exact, self.widgets["recurrent_scale"].decimals()) else shown

    @property
    def edit_pending(self) -> bool:
        """True while an edit waits out the debounce, before the config is checked and emitted."""
        return self._debounce.isActive()

    def config(self) -> SimConfig:
        """The config the widgets show; raises ConfigError if the combination is rejected."""
        return SimConfig(**self.values())

    def set_config(self, config: SimConfig) -> None:
        """Show a config without emitting config_changed."""
        w = self.widgets
        blockers = [QSignalBlocker(widget) for widget in w.values()]
        w["d_model"].setValue(config.d_model)
        w["hidden_size"].setValue(config.hidden_size)
        w["cell"].setCurrentText(config.cell)
        w["activation"].setCurrentText(config.activation)
        w["recurrent_scale"].setValue(config.recurrent_scale)
        w["heads"].setValue(config.heads)
        w["head_size"].setValue(config.head_size)
        w["causal"].setChecked(config.causal)
        w["scaling"].setChecked(not config.scaling)
        w["positional"].setCurrentText(config.positional)
        w["seed"].setValue(config.seed)
        self._exact_scale = config.recurrent_scale
        del blockers
        self._sync_enabled()
        self._sync_preset_box()
        self.clear_errors()

    # -- errors -------------------------------------------------------------------------------
    def show_error(self, field: str, message: str) -> None:
        label = self.errors.get(field)
        if label is not None:
            label.setText(message)
            label.setVisible(True)

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.setText("")
            label.setVisible(False)

    # -- slots --------------------------------------------------------------------------------
    def _on_widget_edited(self, *_args) -> None:
        self._sync_enabled()
        self._sync_preset_box()
        self._debounce.start()

    def _on_preset_box_changed(self, index: int) -> None:
        if index <= 0:
            return
        preset = self._presets[index - 1]
        values = dataclasses.asdict(SimConfig())
        values.update(preset.values)
        values["seed"] = int(self.widgets["seed"].value())
        self.set_config(SimConfig(**values))
        self.preset_sentence_chosen.emit(preset.sentence)
        self._debounce.start()

    def choose_preset(self, name_prefix: str) -> None:
        """Select the first preset whose name starts with `name_prefix`, as the user would."""
        for index, preset in enumerate(self._presets, start=1):
            if preset.name.startswith(name_prefix):
                self.preset_box.setCurrentIndex(index)
                return
        raise ValueError(f"no preset named {name_prefix!r}")

    def _emit_if_valid(self) -> None:
        self.clear_errors()
        try:
            config = self.config()
        except ConfigError as error:
            self.show_error(error.field, error.problem)
            return
        self.config_changed.emit(config)

    def _sync_enabled(self) -> None:
        elman = self.widgets["cell"].currentText() == "rnn"
        self.widgets["activation"].setEnabled(elman)
        self.widgets["activation"].setToolTip(
            FIELDS["activation"][1] if elman else ACTIVATION_UNUSED_TIP)

    def _sync_preset_box(self) -> None:
        values = self.values()
        defaults = dataclasses.asdict(SimConfig())
        match = 0
        for index, preset in enumerate(self._presets, start=1):
            expected = dict(defaults, **preset.values, seed=values["seed"])
            if expected == values:
                match = index
                break
        with QSignalBlocker(self.preset_box):
            self.preset_box.setCurrentIndex(match)
