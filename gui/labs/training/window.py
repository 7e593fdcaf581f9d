"""The Training lab window: train RNNs and a Transformer side by side on the same batches and
watch loss, held-out accuracy, the gradient reaching the first word and the time per step arrive
live; then sweep the length n to see which models keep their accuracy as the distance grows."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QProgressBar, QTabWidget, QWidget

from engine.core.errors import ConfigError
from gui.export.registry import ExportRegistry
from gui.labs.lab_window import LabWindow
from gui.labs.training import checkpoint_folders, files, settings as remembered
from gui.labs.training.curves import LiveCurves
from gui.labs.training.findings_view import FindingsView
from gui.labs.training.live_view import LiveView
from gui.labs.training.runner import AnalysisRunner, SweepRunner, TrainingRunner
from gui.labs.training.session import TrainingSession
from gui.labs.training.sweep_view import SweepView
from gui.labs.training.side_panel import SidePanel

TITLE = "Training lab — does better gradient flow mean better training?"
SWEEP_LENGTHS = (8, 16, 32, 64, 128)  # engine/labs/training/sweep.py's DEFAULT_LENGTHS
class StatusLabel(QLabel):
    """The status line, as tall as its wrapped text is at its own width. A wrapped QLabel lets
    the status bar size it for a guessed width, so the bar's height followed each message's
    length, and every change re-laid out the four plots above it and redrew all their axes."""

    def hasHeightForWidth(self) -> bool:
        return False  # the status bar then takes the hints below, made for the width it has

    def _at_own_width(self, hint: QSize) -> QSize:
        if self.width() > 0:
            hint.setHeight(QLabel.heightForWidth(self, self.width()))
        return hint

    def sizeHint(self) -> QSize:
        return self._at_own_width(super().sizeHint())

    def minimumSizeHint(self) -> QSize:
        return self._at_own_width(super().minimumSizeHint())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # narrower, the text may need another line


class TrainingLabWindow(LabWindow):
    """A top-level window; keep one instance and show() it again (closing stops its jobs)."""

    # (WeightSet, sentence): show the trained RNN and Transformer (its first layer, with their
    # own word vectors) in the main window on a task sentence; the main window connects it
    # (the lab never calls it)
    open_in_simulator_requested = Signal(object, str)

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None):
        super().__init__(TITLE, (1500, 950), parent, settings)
        self.sweep_lengths = SWEEP_LENGTHS
        self.runner = TrainingRunner(self)
        self.sweep_runner = SweepRunner(self)
        self.analysis_runner = AnalysisRunner(self)
        self.session = TrainingSession()
        self._build_widgets()
        self.live_view = LiveView()
        self.plots, self.table = self.live_view.plots, self.live_view.table
        self.sweep_view = SweepView()
        self.findings_view = FindingsView()
        self.export_targets = ExportRegistry()
        self.export_targets.add_all({files.EXPORT_PREFIX + name: plot for name, plot in (
            *self.plots.items(), ("sweep", self.sweep_view.plot),
            *self.findings_view.plots.items())}, "plot")
        self.export_targets.add("training-lab", self, "window")
        self._build_layout()
        self._build_menu()
        self._connect()
        self._say_damaged_settings(remembered.restore(settings, self.controls, self))
        self._sync_buttons()

    # -- building ---------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.side = SidePanel()
        self.controls = self.side.controls
        for name in ("start_button", "pause_button", "resume_button", "cancel_button",
                     "sweep_button", "cancel_sweep_button", "x_axis"):
            setattr(self, name, getattr(self.side, name))
        self.status_label = StatusLabel("Choose the settings and press Start.")
        self.status_label.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setMaximumWidth(260)
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.progress_bar)

    def _build_layout(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.addTab(self.live_view, "Training, live")
        self.tabs.addTab(self.sweep_view, "Headline sweep: accuracy against n")
        self.tabs.addTab(self.findings_view, "What they learned")
        self._place_side_by_side(self.side, self.tabs, (340, 1160))

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("&File")
        self.save_models_action = self._action(menu, "&Save trained models…", self.save_models,
                                               QKeySequence.StandardKey.Save)
        self._action(menu, "&Open trained model…", self.open_model, QKeySequence.StandardKey.Open)
        self.simulator_action = self._action(menu, "Show in the &simulator", self.open_in_simulator)
        self.simulator_action.setToolTip("Run the main window on the trained RNN cell and the "
                                         "first attention block, on a sentence of the task.")
        menu.addSeparator()
        self._action(menu, "&Close", self.close, QKeySequence.StandardKey.Close)

    def _connect(self) -> None:
        self.start_button.clicked.connect(lambda: self.start_training())
        self.pause_button.clicked.connect(self.pause_training)
        self.resume_button.clicked.connect(lambda: self.resume_training())
        self.cancel_button.clicked.connect(self.cancel_training)
        self.sweep_button.clicked.connect(lambda: self.start_sweep())
        self.cancel_sweep_button.clicked.connect(self.cancel_sweep)
        self.x_axis.currentIndexChanged.connect(self._on_x_axis_changed)
        self.runner.built.connect(self._on_runner_built)
        self.runner.updates_arrived.connect(self._on_runner_updates_arrived)
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self.runner.busy_changed.connect(self._sync_buttons)
        self.sweep_runner.point_arrived.connect(self._on_sweep_point_arrived)
        self.sweep_runner.progress.connect(self._on_progress)
        self.sweep_runner.finished.connect(self._on_sweep_finished)
        self.sweep_runner.failed.connect(self._on_sweep_failed)
        self.sweep_runner.busy_changed.connect(self._sync_buttons)
        self.findings_view.measure_requested.connect(self.measure_findings)
        self.analysis_runner.progress.connect(self._on_progress)
        self.analysis_runner.finished.connect(self._on_analysis_finished)
        self.analysis_runner.failed.connect(self._on_analysis_failed)
        self.analysis_runner.busy_changed.connect(self._sync_buttons)
        for name, plot in self.export_targets.widgets("plot").items():
            short = name.removeprefix(files.EXPORT_PREFIX)
            plot.export_menu_requested.connect(
                lambda pos, short=short, plot=plot: self._on_plot_export_menu_requested(
                    short, plot, pos))

    # -- training ---------------------------------------------------------------------------------
    @property
    def curves(self) -> LiveCurves:
        return self.session.curves

    @property
    def busy(self) -> bool:
        return self.runner.busy or self.sweep_runner.busy or self.analysis_runner.busy

    def _checked_config(self):
        """The controls' TrainConfig, or None with the problem shown beside its field."""
        self.controls.clear_errors()
        try:
            return self.controls.config()
        except ConfigError as error:
            self._show_refusal(error.problem, error.field)
            return None

    def _show_refusal(self, message: str, field: str) -> None:
        if field and self.controls.show_error(field, message):
            self._set_status(f"Not started: {self.controls.shown_errors()[field]}", error=True)
        else:
            self._set_status(message[:1].upper() + message[1:], error=True)

    def start_training(self, steps: int | None = None) -> bool:
        """Train the chosen models from their first step; False (message shown) when refused.
        `steps`: stop (as if paused) after that many steps."""
        if self.busy:
            return False
        config = self._checked_config()
        if config is None:
            return False
        remembered.save(self._settings, self.controls, self)
        self.session.begin(config)
        self.live_view.reset(config.models)
        self.progress_bar.setValue(0)
        self._set_status(f"Building the models (n = {config.n}, width {config.model_width})…")
        self.runner.start(config=config, steps=steps)
        return True

    def pause_training(self) -> None:
        if self.runner.busy and self.session.stop_request is None:
            self.session.stop_request = "pause"
            self.runner.pause()
            self._set_status("Pausing after the current step…")
            self._sync_buttons()

    def resume_training(self, steps: int | None = None) -> bool:
        if self.busy or not self.session.resumable:
            return False
        self._set_status(f"Resuming at step {self.session.trainer.step + 1}…")
        self.runner.start(trainer=self.session.trainer, steps=steps)
        return True

    def cancel_training(self) -> None:
        if self.runner.busy:
            self.session.stop_request = "cancel"
            self.runner.pause()
            self._set_status("Cancelling after the current step…")
        elif self.session.resumable:
            self._set_status(self.session.drop_trainer())
        self._sync_buttons()

    def _on_runner_built(self, result) -> None:
        self.session.summaries = result.summaries
        self.table.show_rows(self.session.table_rows())

    def _on_runner_updates_arrived(self, updates) -> None:
        self.session.add_updates(updates)
        self._redraw()

    def _on_runner_finished(self, piece) -> None:
        message = self.session.finish_piece(piece.trainer, piece.result)
        self._redraw()
        failed = message.startswith("Stopped")
        if not failed and not self.session.resumable and not message.startswith("Cancelled"):
            self.progress_bar.setValue(1000)
        self._set_status(message, error=failed)
        self._sync_buttons()

    def _on_runner_failed(self, message: str, field: str) -> None:
        self.session.stop_request = None
        self._redraw()
        self._show_refusal(message, field)
        self._sync_buttons()

    def _on_progress(self, fraction: float, label: str) -> None:
        self.progress_bar.setValue(round(1000 * fraction))
        if not (self.runner.cancelling or self.sweep_runner.cancelling):
            self._set_status(label[:1].upper() + label[1:] + "…")

    # -- drawing ----------------------------------------------------------------------------------
    def _redraw(self) -> None:
        self.live_view.redraw(self.session, growing=self.runner.busy)

    def _on_x_axis_changed(self) -> None:
        self.live_view.set_x_field(self.x_axis.currentData())
        self._redraw()

    # -- the sweep --------------------------------------------------------------------------------
    def start_sweep(self) -> bool:
        """Train each chosen model at every n of sweep_lengths; False when refused."""
        if self.busy:
            return False
        config = self._checked_config()
        if config is None:
            return False
        remembered.save(self._settings, self.controls, self)
        self.sweep_view.reset(config, self.sweep_lengths)
        self.tabs.setCurrentWidget(self.sweep_view)
        self.progress_bar.setValue(0)
        self._set_status("Sweeping n = " + ", ".join(map(str, self.sweep_lengths)) + "…")
        self.sweep_runner.start(config, tuple(self.sweep_lengths))
        return True

    def cancel_sweep(self) -> None:
        if self.sweep_runner.busy:
            self.sweep_runner.cancel()
            self._set_status("Cancelling the sweep after the current step…")
            self._sync_buttons()

    def _on_sweep_point_arrived(self, point) -> None:
        self.sweep_view.add_point(point)

    def _on_sweep_finished(self, result) -> None:
        message, failed = self.sweep_view.finish(result)
        if not failed:
            self.progress_bar.setValue(1000)
        self._set_status(message, error=failed)
        self._sync_buttons()

    def _on_sweep_failed(self, message: str, field: str) -> None:
        self._show_refusal(f"the sweep stopped: {message}", "")
        self._sync_buttons()

    # -- what the trained models learned ------------------------------------------------------------
    def measure_findings(self) -> bool:
        """Probe the last run's trained models in the background; False when there are none."""
        if self.busy or self.session.last_trainer is None:
            return False
        self.findings_view.status.setText("Measuring…")
        self.analysis_runner.start(dict(self.session.last_trainer.models), self.session.config)
        return True

    def _on_analysis_finished(self, findings) -> None:
        self.findings_view.show_findings(findings)
        self.progress_bar.setValue(1000)
        self._set_status("Measured what the trained models learned.")
        self._sync_buttons()

    def _on_analysis_failed(self, message: str, _field: str) -> None:
        self.findings_view.status.setText(message)
        self._set_status(f"The analysis stopped: {message}", error=True)
        self._sync_buttons()

    # -- files ------------------------------------------------------------------------------------
    def save_models(self) -> list:
        """Ask for a folder and save each trained model there (KIND.npz)."""
        if self.runner.busy or self.session.last_trainer is None:
            return []
        paths = files.save_models(self, self.session.last_trainer, self._settings)
        if paths:
            self._set_status(f"Saved {len(paths)} model(s) in {paths[0].parent}.")
        return paths

    def open_model(self, path: str | None = None):
        """Read a trained model (unless cancelled or refused) and say what it holds."""
        opened = files.open_model(self, self._settings, path)
        if opened is None:
            return None
        model, header = opened
        trained = header["trained_on"]
        size = sum(p.numel() for p in model.parameters())
        self._set_status(f"Opened a {header['kind']} of {size:,} parameters, trained on "
                         f"{trained.get('task')} at n = {trained.get('n')} for "
                         f"{trained.get('steps')} steps (seed {trained.get('seed')}).")
        return opened

    def open_in_simulator(self) -> bool:
        """Ask the main window to run on the last run's trained weights; False when it cannot."""
        if self.runner.busy:
            return False
        try:
            weights, sentence, recurrent = self.session.simulator_weights(self.checkpoint_folder())
        except ValueError as problem:
            self._set_status(str(problem), error=True)
            return False
        self.open_in_simulator_requested.emit(weights, sentence)
        layers = (f"attention layer 1 of {weights.layers} (File → Attention layer shows the "
                  f"other)" if weights.layers > 1 else "attention layer")
        self._set_status(f"Shown in the main window: the trained {recurrent} cell and the "
                         f"Transformer's {layers}, on their own word vectors."
                         + "".join(f" Note: {p}." for p in self.session.cleanup_problems))
        return True

    def checkpoint_folder(self) -> Path:
        """Where "Show in the simulator" keeps the models it shows, so sessions can name them:
        beside the settings file (the most recent few; see checkpoint_folders.py)."""
        settings = self._settings if self._settings is not None else QSettings()
        return checkpoint_folders.root_folder(settings)

    def export_menu(self, name: str, plot) -> QMenu:
        return files.plot_export_menu(self, plot, name, self._settings)

    # -- state ------------------------------------------------------------------------------------
    def _sync_buttons(self, *_args) -> None:
        training, sweeping = self.runner.busy, self.sweep_runner.busy
        stopping = self.session.stop_request is not None
        self.start_button.setEnabled(not training and not sweeping)
        self.pause_button.setEnabled(training and not stopping)
        self.resume_button.setEnabled(not self.busy and self.session.resumable)
        self.cancel_button.setEnabled((training and not stopping)
                                      or (not self.busy and self.session.resumable))
        self.sweep_button.setEnabled(not training and not sweeping)
        self.cancel_sweep_button.setEnabled(sweeping and not self.sweep_runner.cancelling)
        trained = self.session.last_trainer is not None
        self.save_models_action.setEnabled(not training and trained)
        self.simulator_action.setEnabled(not training and trained)
        self.findings_view.measure_button.setEnabled(not self.busy and trained)

    @property
    def status_text(self) -> str:
        return self.status_label.text()

    def closeEvent(self, event) -> None:
        remembered.save(self._settings, self.controls, self)
        self.cancel_training()
        self.cancel_sweep()
        self.analysis_runner.cancel()
        super().closeEvent(event)

