"""The parameter dock: every engine option, named like its command-line flag, ranges enforced by the
widgets, a tooltip on each, presets, and the engine's own message beside a rejected field."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from engine.core.config import GLOVE_WIDTH, SimConfig
from engine.core.errors import ConfigError
from engine.core.fields import described_fields
from gui.views.field_widgets import (FieldErrors, edited_signal, field_widget, show_value,
                                     widget_value)
from gui.resources import presets

DEBOUNCE_MS = 250  # wait for the user to stop typing in a spin box before re-running



def field_specs(config_class) -> dict:
    """{field name: (field, FieldSpec)} for every described field, in the dataclass's order."""
    return {field.name: (field, spec) for field, spec in described_fields(config_class)}


# SimConfig's fields: (label = command-line flag without dashes, tooltip)
FIELDS = {name: (spec.shown_label, spec.tooltip)
          for name, (_, spec) in field_specs(SimConfig).items()}


LEARNED_POSITIONS = "learned (trained)"  # shown, read-only, while trained weights bring positions
LEARNED_POSITIONS_TIP = ("The trained Transformer adds the positions it learned to its own word "
                         "vectors, so this choice does not apply. File → Use random weights "
                         "brings it back.")
ACTIVATION_UNUSED_TIP = ("The lstm and gru cells use their own gates (sigmoid and tanh), so the "
                         "activation applies only to the rnn (Elman) cell.")


class ParameterPanel(QWidget):
    """Emits config_changed(SimConfig) after an edit settles and the values form a valid config,
    and preset_sentence_chosen(str) when a preset brings the sentence that shows its effect."""

    config_changed = Signal(object)
    preset_sentence_chosen = Signal(str)
    config_class = SimConfig  # the dock shows one widget per described field of this class

    def __init__(self, config: SimConfig | None = None, parent=None):
        super().__init__(parent)
        self._specs = field_specs(self.config_class)
        self._learned_positions = False  # trained weights bring their own positions
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
        self.errors = FieldErrors(self._specs)
        form = QFormLayout()
        form.addRow("preset", self.preset_box)
        for name, (_, spec) in self._specs.items():
            caption = QLabel(spec.shown_label)
            caption.setToolTip(spec.tooltip)
            form.addRow(caption, self.widgets[name])
            form.addRow("", self.errors[name])
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit_if_valid)
        self.set_config(config or self.config_class())

    def _build_widgets(self) -> dict:
        """One widget per field, made from its metadata (range, choices, tooltip)."""
        widgets = {name: field_widget(field, spec) for name, (field, spec) in self._specs.items()}
        for widget in widgets.values():
            edited_signal(widget).connect(self._on_widget_edited)
        return widgets

    # -- reading and writing values ----------------------------------------------------------
    def values(self) -> dict:
        values = {name: widget_value(self.widgets[name], field.default)
                  for name, (field, _) in self._specs.items()}
        values["recurrent_scale"] = self._recurrent_scale()
        return values

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
        return self.config_class(**self.values())

    def set_config(self, config: SimConfig) -> None:
        """Show a config without emitting config_changed."""
        blockers = [QSignalBlocker(widget) for widget in self.widgets.values()]
        for name, (field, _) in self._specs.items():
            show_value(self.widgets[name], getattr(config, name), field.default)
        self._exact_scale = config.recurrent_scale
        del blockers
        self._sync_enabled()
        self._sync_preset_box()
        self.clear_errors()

    # -- errors -------------------------------------------------------------------------------
    def show_error(self, field: str, message: str) -> None:
        self.errors.show(field, message)

    def clear_errors(self) -> None:
        self.errors.clear_all()

    # -- slots --------------------------------------------------------------------------------
    def _on_widget_edited(self, *_args) -> None:
        if self.sender() is self.widgets.get("word_vectors"):
            self._fit_width_to_word_vectors()
        self._sync_enabled()
        self._sync_preset_box()
        self._debounce.start()

    def _on_preset_box_changed(self, index: int) -> None:
        if index <= 0:
            return
        preset = self._presets[index - 1]
        values = dataclasses.asdict(self.config_class())
        values.update(preset.values)
        values["seed"] = int(self.widgets["seed"].value())
        self.set_config(self.config_class(**values))
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

    def _fit_width_to_word_vectors(self) -> None:
        """Choosing GloVe also sets D to its 50 dimensions (any other D would be refused)."""
        width = self.widgets["d_model"]
        if self.widgets["word_vectors"].currentText() == "glove" and width.value() != GLOVE_WIDTH:
            with QSignalBlocker(width):
                width.setValue(GLOVE_WIDTH)

    def _sync_enabled(self) -> None:
        elman = self.widgets["cell"].currentText() == "rnn"
        self.widgets["activation"].setEnabled(elman)
        self.widgets["activation"].setToolTip(
            self._specs["activation"][1].tooltip if elman else ACTIVATION_UNUSED_TIP)
        self._sync_positional()

    # -- positions learned by trained weights ---------------------------------------------------
    def show_learned_positions(self, learned: bool) -> None:
        """While weights that bring learned positions are in use, the positional field says so,
        read-only; the configured choice comes back (unchanged) when they are not."""
        if learned != self._learned_positions:
            self._learned_positions = learned
            self._sync_positional()

    def _sync_positional(self) -> None:
        """The learned entry holds the configured value as its data, so values() (and every
        config made from the dock) keeps it while the entry is shown."""
        box = self.widgets.get("positional")
        if box is None:
            return
        learned_index = box.findText(LEARNED_POSITIONS)
        with QSignalBlocker(box):
            if self._learned_positions:
                configured = box.currentData()
                if learned_index < 0:
                    box.addItem(LEARNED_POSITIONS, configured)
                    learned_index = box.count() - 1
                box.setItemData(learned_index, configured)
                box.setCurrentIndex(learned_index)
            elif learned_index >= 0:
                configured = box.itemData(learned_index)
                box.removeItem(learned_index)
                box.setCurrentIndex(max(box.findData(configured), 0))
        box.setEnabled(not self._learned_positions)
        box.setToolTip(LEARNED_POSITIONS_TIP if self._learned_positions
                       else self._specs["positional"][1].tooltip)

    def _sync_preset_box(self) -> None:
        values = self.values()
        defaults = dataclasses.asdict(self.config_class())
        match = 0
        for index, preset in enumerate(self._presets, start=1):
            expected = dict(defaults, **preset.values, seed=values["seed"])
            if expected == values:
                match = index
                break
        with QSignalBlocker(self.preset_box):
            self.preset_box.setCurrentIndex(match)
