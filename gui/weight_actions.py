"""Open weights… / Save weights… / Use random weights / Attention layer (File menu): which weights
the next runs use. None means random weights drawn from the seed, as at first launch. A weight file
is read on a worker thread (it may be large), and the parameters that fix the weights' shapes are
set to fit. Weights of a trained Transformer with two layers offer Attention layer → Layer 1 |
Layer 2, which runs the other layer's attention on its own exact input."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from engine.core.errors import EngineInputError
from gui.jobs import job_manager
from gui.session_actions import remembered_path

FILTER = "Weights (*.npz)"
FOLDER_KEY = "weights/folder"


def _load_weights(path):
    from engine.models.weights import WeightSet  # imports torch: on the worker thread

    return WeightSet.load(path)


class WeightActions(QObject):
    """Holds the WeightSet the next runs use (None: random from the seed)."""

    changed = Signal(object)  # the WeightSet now chosen, or None for random weights
    load_failed = Signal()  # a weight file was refused (a dialog said why)
    SETTINGS = {FOLDER_KEY: remembered_path}  # checked by the window at start

    def __init__(self, window, settings: QSettings):
        super().__init__(window)
        self._window, self._settings = window, settings
        self.current = None  # engine.models.weights.WeightSet, or None
        self.shown = None  # the WeightSet the run on screen used (None: random from its seed)
        self._loading = None
        self.layer_menu: QMenu | None = None  # File → Attention layer, once the menu is built

    def add_menu_actions(self, menu: QMenu) -> None:
        for text, slot, tip in (
                ("Open &weights…", self.open_dialog, "Run on weights read from a .npz weight file"),
                ("Save weights…", self.save_dialog, "Write the shown run's weights to a .npz file"),
                ("Use &random weights", self.use_random, "Draw the weights from the seed again")):
            action = QAction(text, self._window)
            action.setStatusTip(tip)
            action.triggered.connect(slot)
            menu.addAction(action)
        self.layer_menu = menu.addMenu("Attention &layer")
        self.layer_menu.setStatusTip("Which layer of the trained Transformer the attention "
                                     "views show")
        self._layer_group = QActionGroup(self.layer_menu)
        self._sync_layer_menu()

    # -- the attention layer ----------------------------------------------------------------------
    def _sync_layer_menu(self) -> None:
        """Offer the layers of the current weights, only when they have more than one."""
        if self.layer_menu is None:  # before add_menu_actions
            return
        layers = self.current.layers if self.current is not None else 1
        self.layer_menu.menuAction().setVisible(layers > 1)
        if len(self.layer_menu.actions()) != layers:
            self.layer_menu.clear()
            for layer in range(1, layers + 1):
                action = QAction(f"Layer {layer}", self.layer_menu)
                action.setCheckable(True)
                action.setStatusTip(f"Show the trained Transformer's attention layer {layer}, "
                                    f"on what that layer reads")
                action.triggered.connect(lambda _checked=False, n=layer: self.show_layer(n))
                self._layer_group.addAction(action)
                self.layer_menu.addAction(action)
        for layer, action in enumerate(self.layer_menu.actions(), start=1):
            action.setChecked(self.current is not None and layer == self.current.layer)

    def layer_actions(self) -> list[QAction]:
        """Layer 1, Layer 2, ... as offered now (empty or hidden for one-layer weights)."""
        if self.layer_menu is None or not self.layer_menu.menuAction().isVisible():
            return []
        return self.layer_menu.actions()

    def show_layer(self, layer: int) -> None:
        """Run the current weights' attention layer `layer` (1-based) instead."""
        if self.current is None or layer == self.current.layer:
            self._sync_layer_menu()
            return
        self.set_current(self.current.with_layer(layer))

    def _folder(self) -> str:
        return remembered_path(self._settings.value(FOLDER_KEY)) or str(Path.home())

    # -- choosing ---------------------------------------------------------------------------------
    def set_current(self, weights) -> None:
        """Use `weights` (a WeightSet, or None for random ones) for the next runs, and run."""
        self.choose(weights)
        self.changed.emit(weights)

    def choose(self, weights) -> None:
        """Use `weights` for the next runs, quietly; a file still loading is forgotten."""
        self.forget_loading()
        self.current = weights
        self._sync_layer_menu()
        learned = weights is not None and weights.transformer_input is not None
        self._window.parameters.show_learned_positions(learned)

    def forget_loading(self) -> None:
        """Drop a weight file still being read (something newer was asked for)."""
        if self._loading is not None:
            self._loading.discard()
            self._loading = None

    def use_random(self) -> None:
        if self.current is not None:
            self.set_current(None)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self._window, "Open weights", self._folder(), FILTER)
        if path:
            self.open(path)

    def open(self, path: str | Path) -> None:
        """Read the file on a worker thread; on success the weights become current."""
        if self._loading is not None:
            self._loading.discard()
        self._loading = job_manager().submit(
            lambda _context: _load_weights(path), name="weights-load", owner=self,
            on_result=lambda weights: self._on_loaded(weights, Path(path)),
            on_error=self._on_load_failed)

    def _on_loaded(self, weights, path: Path) -> None:
        self._loading = None
        self._settings.setValue(FOLDER_KEY, str(path.parent))
        self.set_current(weights)

    def _on_load_failed(self, error: BaseException) -> None:
        self._loading = None
        QMessageBox.warning(self._window, "Could not open the weights",
                            f"{error}\n\nThe runs keep their weights.")
        self.load_failed.emit()

    # -- saving -----------------------------------------------------------------------------------
    def shown_weights(self):
        """The weights of the run on screen (with their file, when they came from one), whatever
        was chosen since for the next runs."""
        trace = self._window.timeline.trace
        if trace is None:
            return None
        if self.shown is not None and self.shown.digest() == trace.weight_source.digest:
            return self.shown
        from engine.models.weights import WeightSet

        return WeightSet(trace.weights(), trace.weight_source.description)

    def save(self, path: str | Path) -> Path:
        weights = self.shown_weights()
        if weights is None:
            raise EngineInputError("there is no run whose weights could be saved yet")
        return weights.save(path)

    def save_dialog(self) -> None:
        if self._window.timeline.trace is None:
            QMessageBox.information(self._window, "Nothing to save", "Run a sentence first.")
            return
        path, _ = QFileDialog.getSaveFileName(self._window, "Save weights",
                                              str(Path(self._folder()) / "weights.npz"), FILTER)
        if not path:
            return
        try:
            saved = self.save(path)
        except EngineInputError as error:
            QMessageBox.warning(self._window, "Could not save the weights", str(error))
            return
        self._settings.setValue(FOLDER_KEY, str(saved.parent))
        self._window.statusBar().showMessage(f"Weights saved to {saved}", 8000)
