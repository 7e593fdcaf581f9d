"""The DEER lab window: the tanh RNN's whole trajectory found at once by Newton iterations (DEER,
and quasi-DEER with diagonal Jacobians), measured against the step loop: the error per iteration,
and the iterations it takes against n and against the recurrent scale, beside λ₁γ."""

from __future__ import annotations

import math

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QMenu, QProgressBar, QPushButton,
                               QScrollArea, QSplitter, QVBoxLayout, QWidget)

from engine.core.errors import ConfigError
from gui import style
from gui.export.registry import ExportRegistry
from gui.labs.deer import files, settings as remembered
from gui.labs.deer.controls import DeerLabControls
from gui.labs.deer.plots import ErrorPlot, LengthPlot, ScalePlot, method_colour
from gui.labs.deer.runner import DeerLabRunner, lab_work
from gui.labs.lab_window import LabWindow, wrapping_label

TITLE = "DEER lab — the RNN's trajectory in parallel, by Newton iterations"
METHODS = {"full": "DEER", "diagonal": "quasi-DEER"}
CAPTIONS = {
    "error": (
        "<b>Newton iterations converging to the loop.</b> DEER guesses every h<sub>t</sub> at "
        "once (all zeros), linearises every step around the guess and solves the resulting "
        "linear recurrence with one parallel scan; each point is one such iterate, measured "
        "against the step loop's exact trajectory. With the full H×H Jacobian (DEER) the error "
        "falls ever faster, Newton's quadratic convergence; with its diagonal only "
        "(quasi-DEER) each iteration is cheaper but the error falls by a roughly constant "
        "factor. The dashed line is the tolerance on the residual."),
    "length": (
        "<b>You need not wait for the previous timestep.</b> The loop takes n dependent steps "
        "(grey). Each DEER iteration is one parallel scan of ⌈log₂ n⌉ levels, so its "
        "sequential depth is iterations × ⌈log₂ n⌉ (dotted). When the dynamics contract, the "
        "iterations hardly grow with n: the reference text's “you MUST wait for the previous "
        "timestep” does not hold, at the price of iterations whose count depends on the "
        "dynamics."),
    "scale": (
        "<b>The dynamics decide the count.</b> Left of λ₁γ = 1 (Pascanu's rate: W's largest "
        "singular value times tanh's slope bound, 1) every step contracts and few iterations "
        "suffice; to the right the state can forget its start ever more slowly and the "
        "iterations grow, quasi-DEER's towards n (grey; each iteration makes at least one more "
        "leading state exact, so at most n are ever needed in exact arithmetic). A {failure} × "
        "hit max iterations, a {failure} ▲ diverged; neither is left out."),
}
PLOT_NAMES = {"error": "error per iteration", "length": "iterations against n",
              "scale": "iterations against the recurrent scale"}


class DeerLabWindow(LabWindow):
    """A top-level window; keep one instance and show() it again (closing cancels a run)."""

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None):
        super().__init__(TITLE, (1400, 900), parent, settings)
        self.result = None  # engine DeerLabResult: the parts so far, then the finished run
        self._config = None
        self.runner = DeerLabRunner(self)
        self.controls = DeerLabControls()
        self.plots = {"error": ErrorPlot(), "length": LengthPlot(), "scale": ScalePlot()}
        self.export_targets = ExportRegistry()
        self.export_targets.add_all({files.EXPORT_PREFIX + name: plot
                                     for name, plot in self.plots.items()}, "plot")
        self.export_targets.add("deer-lab", self, "window")
        self._build_widgets()
        self._build_layout()
        self._build_menu()
        self._connect()
        self._say_damaged_settings(remembered.restore(settings, self.controls, self))
        self._reset_views(self.controls.values())
        self._sync_buttons()

    # -- building ---------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Run DEER and quasi-DEER at the chosen n and scale, then "
                                   "sweep n and the recurrent scale.")
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the current measurement; what is drawn stays.")
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(False)
        self.status_label = wrapping_label("Choose the settings and press Run.")
        self.outcome_label = wrapping_label("")
        self.outcome_label.setTextFormat(Qt.TextFormat.RichText)
        self.rate_label = wrapping_label("")
        self.captions = {name: wrapping_label(caption_html(name)) for name in CAPTIONS}
        for caption in self.captions.values():
            caption.setTextFormat(Qt.TextFormat.RichText)

    def _build_layout(self) -> None:
        self._place_side_by_side(self._side_panel(), self._views())

    def _side_panel(self) -> QScrollArea:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.addWidget(self.controls)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)
        layout.addSpacing(8)
        layout.addWidget(QLabel("<b>At the chosen n and scale</b>"))
        layout.addWidget(self.outcome_label)
        layout.addWidget(self.rate_label)
        layout.addStretch(1)
        return self._scrolling(panel)

    def _views(self) -> QWidget:
        """The error plot across the top; the two sweeps side by side below; a caption under each."""
        top = self._captioned("error")
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.setChildrenCollapsible(False)
        bottom.addWidget(self._captioned("length"))
        bottom.addWidget(self._captioned("scale"))
        rows = QSplitter(Qt.Orientation.Vertical)
        rows.setChildrenCollapsible(False)
        rows.addWidget(top)
        rows.addWidget(bottom)
        rows.setSizes([850, 1150])  # the sweeps, side by side, need the height more
        return rows

    def _captioned(self, name: str) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(2, 2, 2, 2)
        column.addWidget(self.plots[name], 1)
        column.addWidget(self.captions[name])
        return box

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("&File")
        self.run_action = self._action(menu, "&Run", lambda: self.start_run(), "Ctrl+R")
        self.cancel_action = self._action(menu, "&Cancel the run", self.cancel_run)
        menu.addSeparator()
        self._action(menu, "&Close", self.close, QKeySequence.StandardKey.Close)

    def _connect(self) -> None:
        self.run_button.clicked.connect(lambda: self.start_run())
        self.cancel_button.clicked.connect(self.cancel_run)
        self.runner.part_arrived.connect(self._on_runner_part_arrived)
        self.runner.progress.connect(self._on_runner_progress)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self.runner.busy_changed.connect(self._sync_buttons)
        self.controls.values_changed.connect(self._on_controls_values_changed)
        for name, plot in self.plots.items():
            plot.export_menu_requested.connect(
                lambda pos, name=name, plot=plot: self._on_plot_export_menu_requested(
                    PLOT_NAMES[name], plot, pos))

    # -- actions ----------------------------------------------------------------------------------
    def start_run(self, work=None) -> bool:
        """Validate the settings and start; False (the problem shown beside its field) when not.
        `work(on_part, progress, cancel) -> DeerLabResult` replaces the engine's (a test seam)."""
        if self.runner.busy:
            return False
        self.controls.clear_errors()
        try:
            config = self.controls.config()
        except ConfigError as error:
            self._show_refusal(error.problem, error.field)
            return False
        from engine.labs.deer.lab import DeerLabResult

        remembered.save(self._settings, self.controls, self)
        self._config, self.result = config, DeerLabResult(config)
        self._reset_views(self.controls.values())
        self.progress_bar.setValue(0)
        self._set_status(f"Running DEER and quasi-DEER at n = {config.n}, scale "
                         f"{config.recurrent_scale:g}…")
        self.runner.run_work(work or lab_work(config))
        self._sync_buttons()
        return True

    def cancel_run(self) -> None:
        if self.runner.busy:
            self.runner.cancel()
            self._set_status("Cancelling after the current measurement…")
            self._sync_buttons()

    def export_menu(self, name: str, plot) -> QMenu:
        """The PNG / SVG / CSV menu of one plot (right-click shows it)."""
        return files.plot_export_menu(self, plot, name.replace(" ", "-"), self._settings)

    def _show_refusal(self, message: str, field: str) -> None:
        if field and self.controls.show_error(field, message):
            self._set_status(f"Not started: {self.controls.shown_errors()[field]}", error=True)
        else:
            self._set_status(message[:1].upper() + message[1:], error=True)

    def _on_controls_values_changed(self) -> None:
        """Before a run, the plots show the chosen tolerance, lengths and n."""
        if self.result is None and not self.runner.busy:
            self._reset_views(self.controls.values())

    # -- runner slots -----------------------------------------------------------------------------
    def _on_runner_part_arrived(self, part) -> None:
        if self.result is not None:
            self.result.add(part)
            self._show_result()

    def _on_runner_progress(self, fraction: float, label: str) -> None:
        self.progress_bar.setValue(round(1000 * fraction))
        if not self.runner.cancelling:
            self._set_status(label[:1].upper() + label[1:] + "…")

    def _on_runner_finished(self, result) -> None:
        self.result = result
        self._show_result()
        if result.completed:
            self.progress_bar.setValue(1000)
            self._set_status("Done: both sweeps measured.")
        else:
            self._set_status(f"Cancelled; {self._parts_text()} kept.", error=True)
        self._sync_buttons()

    def _on_runner_failed(self, message: str, field: str) -> None:
        if field and self.controls.show_error(field, message):
            self._set_status(f"Not started: {self.controls.shown_errors()[field]}", error=True)
        else:
            self._set_status(f"The run stopped: {message}; {self._parts_text()} kept.",
                             error=True)
        self._sync_buttons()

    def _parts_text(self) -> str:
        if self.result is None:
            return "nothing"
        count = (len(self.result.convergence) + sum(map(len, self.result.length_points.values()))
                 + sum(map(len, self.result.scale_points.values())))
        return f"{count} measurement{'' if count == 1 else 's'}"

    # -- views ------------------------------------------------------------------------------------
    def _reset_views(self, values: dict) -> None:
        from engine.labs.deer.config import DeerLabConfig

        try:
            config = self._config or DeerLabConfig(**values)
        except ConfigError:
            return
        self.plots["error"].reset(config.tolerance)
        self.plots["length"].reset(config.swept_lengths)
        self.plots["scale"].reset(config.n, config.max_iterations)
        self.outcome_label.setText("")
        self.rate_label.setText("")

    def follow_colours(self) -> None:
        """Captions and the outcome in the current colour set (the plots follow it themselves)."""
        for name, caption in self.captions.items():
            caption.setText(caption_html(name))
        if self.result is not None and self.outcome_label.text():
            self.outcome_label.setText(outcome_html(self.result.convergence))

    def _show_result(self) -> None:
        result = self.result
        self.plots["error"].show_runs(result.convergence)
        self.plots["length"].show_points(result.length_points)
        self.plots["scale"].show_points(result.scale_points)
        self.outcome_label.setText(outcome_html(result.convergence))
        self.rate_label.setText(rate_text(result.convergence, result.config.recurrent_scale))

    def _sync_buttons(self, *_args) -> None:
        busy = self.runner.busy
        self.controls.setEnabled(not busy)  # the plots show the settings the run uses
        self.run_button.setEnabled(not busy)
        self.run_action.setEnabled(not busy)
        can_cancel = busy and not self.runner.cancelling
        self.cancel_button.setEnabled(can_cancel)
        self.cancel_action.setEnabled(can_cancel)

    @property
    def status_text(self) -> str:
        return self.status_label.text()

    def closeEvent(self, event) -> None:
        remembered.save(self._settings, self.controls, self)
        self.cancel_run()
        super().closeEvent(event)


def caption_html(name: str) -> str:
    """A plot's caption, naming the current colour set's failure colour."""
    return CAPTIONS[name].format(failure=style.colour_name("failure"))


def outcome_html(runs: dict) -> str:
    """One line per method: 'DEER: converged in 4 iterations: …', a failure in the failure
    colour."""
    lines = []
    for jacobian, run in runs.items():
        colour = method_colour(jacobian) if run.result.converged else style.failure_colour()
        lines.append(f"<span style='color:{colour}'><b>{METHODS[jacobian]}</b></span>: "
                     f"{run.result.message}.")
    return "<br>".join(lines)


def rate_text(runs: dict, scale: float) -> str:
    """λ₁γ at the chosen scale and which side of 1 it lies."""
    if not runs:
        return ""
    rate = next(iter(runs.values())).lambda1_gamma
    if not math.isfinite(rate):
        return ""
    side = ("below 1: every step contracts, so the iterations should be few" if rate < 1
            else "at or above 1: the dynamics may expand, so expect many iterations")
    return f"λ₁γ = {rate:.2f} at recurrent scale {scale:g}, {side}."
