"""The main window: sentence bar and token strip on top, the three linked panels, the race strip and
transport bar below, parameters in a dock. It wires models to views; panels never call each other."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QMessageBox, QProgressBar,
                               QPushButton, QScrollArea)

from engine.core.config import DEFAULT_SENTENCE, SimConfig
from engine.core.errors import ConfigError, EngineInputError, WeightsError
from engine.core.tokens import tokenize
from gui import style
from gui.export.controller import ExportController
from gui.help_texts import APP_TITLE, GUIDE, about_text
from gui.export.targets import register_main_window
from gui.views.main_views import MainViews
from gui.views.parameters import ParameterPanel
from gui.remembered import RememberedSettings, parse_config, parse_sentence
from gui.resources import preset_named
from gui.selection import TokenSelection
from gui.state.app_state import AppState
from gui.session_actions import SessionActions
from gui.weight_actions import WeightActions
from gui.timeline import Timeline
from gui.views.transport import DEFAULT_SPEED
from gui.window_geometry import available_geometry, centred_default, fit_window_to, restore_window_rect
from gui.wording import count
from gui.worker import SimulationRunner

NOTICE_MS = 30_000  # how long a notice stays in the status bar
DOCK_WIDTH = 300  # the parameter dock's starting width, where the screen has room for it
CAPTIONS_MIN_HEIGHT = 900  # below this window height the plots need the captions' room: the
                           # captions move into the panel titles' tooltips
FIRST_LAUNCH_PRESET = "Readable"  # small enough that every number on screen can be read
FIRST_LAUNCH_TICK = 1  # after one tick attention has read every word, the RNN only the first
FIRST_LAUNCH_HINT = ("Paused after one tick: attention has read every word, the RNN only the first. "
                     "Press Space (or ▶) to play, ←/→ to step; F1 over a panel opens its lesson.")

class MainWindow(QMainWindow):
    def __init__(self, overrides: dict | None = None, sentence: str | None = None,
                 settings: QSettings | None = None, restore: bool = True):
        """`overrides`: config fields given on the command line; they win over remembered ones."""
        super().__init__()
        self.setWindowTitle(APP_TITLE)
        self.settings = settings if settings is not None else QSettings()
        self.remembered = RememberedSettings(self.settings)  # damaged values named in the status bar
        # First launch: nothing remembered and nothing asked for on the command line. It opens
        # small and readable (every number printed), paused after one tick, with a one-line hint.
        self.first_launch = (restore and not overrides and sentence is None
                             and not self.settings.allKeys())
        remembered_config, remembered_sentence = self._remembered() if restore else (None, None)
        # Flags on the command line apply to the engine's defaults, as they do for --report.
        base = SimConfig() if overrides else self._first_launch_config()
        config = self._merge(remembered_config or base, overrides or {})
        sentence = sentence if sentence is not None else (remembered_sentence or DEFAULT_SENTENCE)

        self.state = AppState()  # what scripts and lessons drive; the views follow it
        self.timeline = Timeline(self, self.state.timeline)
        self.selection = TokenSelection(self, self.state.selection)
        self.runner = SimulationRunner(self)
        self.views = MainViews(self.timeline, self.selection, sentence)
        self.sentence_bar, self.token_strip = self.views.sentence_bar, self.views.token_strip
        self.rnn_panel, self.attention_panel = self.views.rnn_panel, self.views.attention_panel
        self.gradient_panel, self.race_panel = self.views.gradient_panel, self.views.race_panel
        self.transport, self.panel_scroll = self.views.transport, self.views.panel_scroll
        self.parameters = ParameterPanel(config)
        self.export_targets = register_main_window(self)
        self.exports = ExportController(self, self.settings)
        self.gradient_panel.plots_changed.connect(self._on_panel_plots_changed)
        self.views.scan_panel.plots_changed.connect(self._on_panel_plots_changed)
        self.sessions = SessionActions(self, self.settings)
        self.weight_actions = WeightActions(self, self.settings)
        self._build_layout()
        self._build_status_bar()
        self._build_actions()
        self._last_sentence = sentence
        self._last_config = config
        self._pending_view = None  # (tick, pinned token, trace digest) to restore after a run
        self._cost_lab = None  # created on first use
        self._training_lab = None  # created on first use
        self._deer_lab = None  # created on first use

        self.sentence_bar.run_requested.connect(self._on_sentence_bar_run)
        self.parameters.config_changed.connect(self._on_parameters_config_changed)
        self.parameters.preset_sentence_chosen.connect(self.sentence_bar.set_sentence)
        self.runner.started.connect(self._on_runner_started)
        self.runner.progress.connect(self._on_runner_progress)
        self.runner.finished.connect(self._on_runner_finished)
        self.weight_actions.changed.connect(self._on_weights_changed)
        self.state.run_requested.connect(self._on_state_run_requested)
        self.weight_actions.load_failed.connect(self._on_weights_load_failed)
        self.runner.failed.connect(self._on_runner_failed)
        self.runner.busy_changed.connect(self._on_runner_busy_changed)
        self.runner.cancelled.connect(self._on_runner_cancelled)
        self._default_state = self.saveState()  # the dock where it starts, for Reset settings
        if restore:
            self._restore_geometry()
            self._report_damaged_settings()
        else:
            self.setGeometry(centred_default(available_geometry(self)))
            self._start_dock_width()
        self._focus_the_views()

    def _start_dock_width(self) -> None:
        """Room for the parameter dock's widgets where the screen allows; narrower on small ones."""
        width = min(DOCK_WIDTH, self.width() - self.centralWidget().minimumSizeHint().width())
        self.resizeDocks([self.parameter_dock], [max(width, 0)], Qt.Orientation.Horizontal)

    def _first_launch_config(self) -> SimConfig:
        return SimConfig().replace(**preset_named(FIRST_LAUNCH_PRESET).values)

    def _focus_the_views(self) -> None:
        """Keyboard focus on the panels, not the sentence box, so Space, ←/→, Home and End
        control playback from the start, as the status bar says; a click in the box types."""
        central = self.centralWidget()
        central.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        central.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- construction -------------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.setCentralWidget(self.views)
        self.parameter_dock = QDockWidget("Parameters", self)
        self.parameter_dock.setObjectName("parameters")
        scroll = QScrollArea()
        scroll.setWidget(self.parameters)
        scroll.setWidgetResizable(True)
        self.parameter_dock.setWidget(scroll)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.parameter_dock)

    def _build_status_bar(self) -> None:
        # A label of its own: a temporary status-bar message would be drawn over status_label.
        self.notice_label = QLabel("")
        style.colour_text(self.notice_label, "error")
        self.notice_label.setVisible(False)
        self.status_label = QLabel("Starting the engine…")
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running simulation (Esc)")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.runner.cancel)
        bar = self.statusBar()
        bar.addWidget(self.notice_label)
        bar.addWidget(self.status_label, 1)
        bar.addPermanentWidget(self.progress_bar)
        bar.addPermanentWidget(self.cancel_button)

    def _action(self, menu, text: str, shortcut, slot, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)  # shortcuts work wherever the focus is in the window
        return action

    def _build_actions(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        self.sessions.add_menu_actions(file_menu)
        file_menu.addSeparator()
        self.weight_actions.add_menu_actions(file_menu)
        file_menu.addSeparator()
        self.exports.add_menu_actions(file_menu)
        file_menu.addSeparator()
        self._action(file_menu, "&Run", "Ctrl+R", self.run_current,
                     "Run both models on the sentence")
        self._action(file_menu, "&Cancel run", "Esc", self.runner.cancel, "Stop the running simulation")
        file_menu.addSeparator()
        self._action(file_menu, "Reset &settings…", None, self._confirm_reset_settings,
                     "Forget every remembered setting and start as on the first launch")
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        play = menus.addMenu("&Playback")
        self.play_action = self._action(play, "Play / pause", "Space", self.transport.toggle_play)
        self._action(play, "Step forward", "Right", self.timeline.step_forward)
        self._action(play, "Step back", "Left", self.timeline.step_back)
        self._action(play, "Go to start", "Home", self.timeline.go_start)
        self._action(play, "Go to end", "End", self.timeline.go_end)
        view = menus.addMenu("&View")
        view.addAction(self.parameter_dock.toggleViewAction())
        self.scan_action = self._action(
            view, "&Scan lane (minGRU)", "Ctrl+Shift+P", self.set_scan_lane,
            "Also run minGRU, a linear recurrence computed by a parallel scan in ⌈log₂ n⌉ levels")
        self.scan_action.setCheckable(True)
        self._action(view, "&Cost lab…", "Ctrl+L", self.show_cost_lab,
                     "Measure sequential vs parallel cost on this machine, against Table 1")
        self._action(view, "&Training lab…", "Ctrl+T", self.show_training_lab,
                     "Train RNNs and a Transformer side by side on the same task, live")
        self._action(view, "&DEER lab…", None, self.show_deer_lab,
                     "Find the RNN's whole trajectory at once by Newton iterations (DEER)")
        # View > Theme: light, dark or the system's palette, remembered between launches.
        theme = self.remembered.value(style.THEME_SETTING, style.theme_from_setting) or "system"
        self.theme_actions = style.add_theme_actions(
            view.addMenu("&Theme"), self, theme,
            lambda name: self.settings.setValue(style.THEME_SETTING, name))
        colours = self.remembered.value(style.COLOURS_SETTING, style.colours_from_setting)
        self.colour_action = style.add_colour_action(
            view, self, colours or "standard",
            lambda name: self.settings.setValue(style.COLOURS_SETTING, name))
        help_menu = menus.addMenu("&Help")
        self._action(help_menu, "What am I looking at?", None, self._show_guide)
        from gui.lessons.dock import install_lesson_dock  # Help → Lessons, its dock, F1

        self.lesson_dock = install_lesson_dock(self, help_menu)
        from gui.shortcut_list import show_shortcuts

        self._action(help_menu, "&Keyboard shortcuts", None, lambda: show_shortcuts(self))
        self._action(help_menu, "About", None, self._show_about)

    @staticmethod
    def _merge(base: SimConfig, overrides: dict) -> SimConfig:
        try:
            return base.replace(**overrides)
        except ConfigError:  # a remembered value clashes with a given one: the given ones win
            return SimConfig(**overrides)

    # -- running ------------------------------------------------------------------------------
    def run_current(self) -> bool:
        """Run the sentence and parameters the window shows."""
        return self.run(self.sentence_bar.sentence)

    def run(self, sentence: str | None = None, config: SimConfig | None = None) -> bool:
        """Validate, then start a run in the worker. Returns False (with a message) if rejected."""
        sentence = self._last_sentence if sentence is None else sentence
        try:
            config = config or self.parameters.config()
        except ConfigError as error:
            self.parameters.show_error(error.field, error.problem)
            return False
        try:
            tokenize(sentence)
            weights = self.weight_actions.current
            if weights is not None:
                weights.check(config)
        except EngineInputError as error:
            hint = (" (File → Use random weights lets the cell and widths change)"
                    if isinstance(error, WeightsError) else "")
            self.sentence_bar.show_message(f"{error}{hint}. The last good run stays on screen.")
            return False
        self.sentence_bar.show_message("")
        self.parameters.clear_errors()
        self.sessions.forget_loading()  # a session still reading its weights would replace this run
        self._pending = (sentence, config)
        self._pending_weights = weights
        self.state.sentence, self.state.config = sentence, config
        self._pending_view = None  # only open_run, right after this, asks for a saved view
        self.runner.run(sentence, config, weights)
        return True

    def open_run(self, session) -> bool:
        """Show a saved session: its parameters and sentence, then its tick and selection once
        the engine has re-run it."""
        self.parameters.set_config(session.config)
        self.sentence_bar.set_sentence(session.sentence)
        self.weight_actions.choose(session.weights)  # quietly: the run below uses them
        started = self.run(session.sentence, session.config)
        if started:
            self._pending_view = (session.tick, session.selected_token, session.trace_digest)
        return started

    def _on_weights_changed(self, weights) -> None:
        """New weights fix the widths and the cell: the parameters follow them, then a run."""
        if weights is not None:
            try:
                config = self.parameters.config()
            except ConfigError:
                config = self._last_config or SimConfig()
            config = config.replace(**weights.config_fields)
            self.parameters.set_config(config)
            self.statusBar().showMessage(f"Running on {weights.source}", 8000)
        self.run(self.sentence_bar.sentence if self.sentence_bar.sentence.strip() else None)

    def _on_state_run_requested(self, sentence: str, config) -> None:
        """A script or lesson asked for a run: show its sentence and parameters, then run them."""
        if config is not None:
            self.parameters.set_config(config)
        self.sentence_bar.set_sentence(sentence)
        self.run(sentence, config)

    def _on_panel_plots_changed(self) -> None:
        """A run with one more model shows its maps (and the scan lane its plots), and exports
        them like every other plot; a later run without it drops them from the targets."""
        self.export_targets = register_main_window(self)
        self.exports.watch_plots()

    def _on_weights_load_failed(self) -> None:
        if self.timeline.trace is None and not self.runner.busy:  # a start with --weights
            self.run_current()

    def _on_sentence_bar_run(self, sentence: str) -> None:
        self.run(sentence)

    def set_scan_lane(self, shown: bool) -> bool:
        """Show or hide the scan lane: the parameters' scan switch, and a run with it."""
        try:
            config = self.parameters.config().replace(scan=bool(shown))
        except ConfigError as error:
            self.scan_action.setChecked(self._last_config.scan)
            self.parameters.show_error(error.field, error.problem)
            return False
        self.parameters.set_config(config)
        return self._on_parameters_config_changed(config)

    def _on_parameters_config_changed(self, config: SimConfig) -> bool:
        return self.run(self.sentence_bar.sentence if self.sentence_bar.sentence.strip() else None, config)

    def _on_runner_started(self) -> None:
        self.status_label.setText("Running…")
        self.progress_bar.setValue(0)

    def _on_runner_progress(self, fraction: float, label: str) -> None:
        self.progress_bar.setValue(round(1000 * fraction))
        self.status_label.setText(label)

    def _on_runner_finished(self, trace) -> None:
        self._last_sentence, self._last_config = self._pending
        self.weight_actions.shown = self._pending_weights
        pending, self._pending_view = self._pending_view, None
        # Same words, new parameters: keep the tick. A different sentence starts over.
        keep_tick = self.timeline.trace is not None and trace.tokens == self.timeline.trace.tokens
        self.selection.set_hovered(None)
        if pending is not None:  # a reopened session: its exact view, no autoplay
            tick, pinned, digest = pending
            self.transport.pause()
            self.timeline.set_trace(trace, tick)
            self.selection.set_pinned(pinned if 0 <= pinned < trace.length else None)
            if digest and digest != trace.digest():
                QMessageBox.warning(self, "The run differs",
                                    "Re-running this session gave numbers that differ from the "
                                    "saved run (another version of numpy or torch?). The view "
                                    "shows the new run.")
        elif keep_tick:  # same sentence, new parameters: stay where the user was looking
            self.timeline.set_trace(trace)
        elif self.first_launch:  # the first run waits for the user, with a hint
            self.selection.set_pinned(None)
            self.transport.pause()
            self.timeline.set_trace(trace, FIRST_LAUNCH_TICK)
        else:  # a new sentence plays from the start
            self.selection.set_pinned(None)
            self.timeline.set_trace(trace, 0)
            self.transport.play()
        self.show_run_status(trace)
        self.scan_action.setChecked(trace.config.scan)
        if self.first_launch:
            self.status_label.setText(FIRST_LAUNCH_HINT)
            self.first_launch = False
        self._save_run_settings()

    def show_run_status(self, trace) -> None:
        """The status line and the weights note for the run on screen."""
        self.sentence_bar.show_weights(trace.weight_source.description, trace.has_random_weights)
        steps = trace.rnn.cost.sequential_operations
        scan = (f", minGRU scan {count(trace.scan.levels, 'level')}" if trace.scan is not None
                else "")
        self.status_label.setText(
            f"{count(trace.length, 'token')} · RNN {count(steps, 'sequential step')}, "
            f"attention 1{scan} · Space plays or pauses, ←/→ step")

    def _on_runner_failed(self, message: str, field: str) -> None:
        self._pending_view = None
        if field:
            self.parameters.show_error(field, message)
        else:
            self.sentence_bar.show_message(f"{message}. The last good run stays on screen.")
        self.status_label.setText("The run was rejected; the view shows the last good run.")

    def _on_runner_busy_changed(self, busy: bool) -> None:
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)

    def _on_runner_cancelled(self) -> None:
        self._pending_view = None
        self.status_label.setText("Cancelled; the view shows the last good run.")

    # -- settings (gui/remembered.py reads them defensively) -----------------------------------
    def _remembered(self) -> tuple[SimConfig | None, str | None]:
        """The remembered run; the keys of the File-menu helpers are vetted here at start too."""
        config = self.remembered.value("run/config", parse_config)
        sentence = self.remembered.value("run/sentence", parse_sentence)
        self.remembered.check({**SessionActions.SETTINGS, **ExportController.SETTINGS,
                               **WeightActions.SETTINGS})
        return config, sentence

    def _report_damaged_settings(self) -> None:
        names = self.remembered.damaged()
        if names:
            what = "a damaged remembered setting" if len(names) == 1 else "damaged remembered settings"
            self.notice_label.setText(f"Ignored {what}: {', '.join(names)}.")
            self.notice_label.setVisible(True)
            QTimer.singleShot(NOTICE_MS, self.notice_label.hide)

    @property
    def notice(self) -> str:
        """The notice shown in the status bar now (damaged settings ignored), or ""."""
        return self.notice_label.text() if not self.notice_label.isHidden() else ""

    def _save_run_settings(self) -> None:
        self.settings.setValue("run/config", self._last_config.to_json())
        self.settings.setValue("run/sentence", self._last_sentence)
        self.settings.setValue("playback/speed", self.transport.speed_box.value())

    def _restore_geometry(self) -> None:
        def restored(restore):  # restoreGeometry and restoreState say whether they could
            return lambda data: True if isinstance(data, QByteArray) and restore(data) else None

        rect = restored(lambda data: restore_window_rect(self, data))
        if self.remembered.value("window/geometry", rect) is None:
            self.setGeometry(centred_default(available_geometry(self)))
        else:  # remembered on another (larger) screen, perhaps: keep all of it on this one
            self.fit_to(available_geometry(self))
        if self.remembered.value("window/state", restored(self.restoreState)) is None:
            self._start_dock_width()
        speed = self.remembered.value("playback/speed", self._speed_in_range)
        if speed is not None:
            self.transport.set_speed(speed)

    def fit_to(self, available) -> None:
        """Shrink and move the window so all of it lies inside `available` (a QRect)."""
        fit_window_to(self, available)

    def _confirm_reset_settings(self) -> None:
        answer = QMessageBox.question(
            self, "Reset settings",
            "Forget every remembered setting (parameters, sentence, speed, window layout, "
            "export folders) and start again as on the first launch?")
        if answer == QMessageBox.StandardButton.Yes:
            self.reset_settings()

    def reset_settings(self) -> None:
        """Forget everything remembered and show the first-launch view: the Readable preset on
        the default sentence, paused after one tick, the window fitted to the screen."""
        self.settings.clear()
        self.settings.sync()
        self.first_launch = True
        self.transport.pause()
        self.transport.set_speed(DEFAULT_SPEED)
        self.restoreState(self._default_state)
        self.theme_actions["system"].setChecked(True)
        style.apply_theme("system")
        self.colour_action.setChecked(False)
        style.use_colours("standard")
        self.parameter_dock.show()
        self.showNormal()
        self.setGeometry(centred_default(available_geometry(self)))
        self._start_dock_width()
        config = self._first_launch_config()
        self.parameters.set_config(config)
        self.sentence_bar.set_sentence(DEFAULT_SENTENCE)
        self._focus_the_views()
        self.weight_actions.choose(None)  # random weights, as at first launch
        self.run(DEFAULT_SENTENCE, config)

    def _speed_in_range(self, value) -> float | None:
        speed = None if isinstance(value, bool) else float(value)  # NaN fails the range below
        box = self.transport.speed_box
        return speed if speed is not None and box.minimum() <= speed <= box.maximum() else None

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.views.set_captions_shown(event.size().height() >= CAPTIONS_MIN_HEIGHT)

    def closeEvent(self, event) -> None:
        # Stop every background job, so quitting never waits for a run, a sweep or an export.
        self.runner.cancel()
        self.sessions.forget_loading()
        self.weight_actions.forget_loading()
        self.lesson_dock.runner.stop_loading()
        self.exports.cancel_animation()
        if self._cost_lab is not None:
            self._cost_lab.close()
        if self._training_lab is not None:
            self._training_lab.close()
        if self._deer_lab is not None:
            self._deer_lab.close()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("playback/speed", self.transport.speed_box.value())
        super().closeEvent(event)

    def show_cost_lab(self) -> None:
        """Open (or bring forward) the cost lab window; it keeps its results while hidden."""
        if self._cost_lab is None:
            from gui.labs.cost import CostLabWindow

            self._cost_lab = CostLabWindow(self, settings=self.settings)
        self._cost_lab.show()
        self._cost_lab.raise_()
        self._cost_lab.activateWindow()

    def show_training_lab(self) -> None:
        """Open (or bring forward) the training lab window; it keeps its curves while hidden."""
        if self._training_lab is None:
            from gui.labs.training import TrainingLabWindow

            self._training_lab = TrainingLabWindow(self, settings=self.settings)
            self._training_lab.open_in_simulator_requested.connect(self._on_trained_weights)
        self._training_lab.show()
        self._training_lab.raise_()
        self._training_lab.activateWindow()

    def show_deer_lab(self) -> None:
        """Open (or bring forward) the DEER lab window; it keeps its plots while hidden."""
        if self._deer_lab is None:
            from gui.labs.deer import DeerLabWindow

            self._deer_lab = DeerLabWindow(self, settings=self.settings)
        self._deer_lab.show()
        self._deer_lab.raise_()
        self._deer_lab.activateWindow()

    def _on_trained_weights(self, weights, sentence: str) -> None:
        """The training lab's trained weights, on a sentence of its task, through the weight seam."""
        self.sentence_bar.set_sentence(sentence)
        self.weight_actions.set_current(weights)
        self.raise_()
        self.activateWindow()

    @property
    def training_lab(self):
        """The training lab window once opened (show_training_lab makes it), else None."""
        return self._training_lab

    @property
    def deer_lab(self):
        """The DEER lab window once opened (show_deer_lab makes it), else None."""
        return self._deer_lab

    @property
    def cost_lab(self):
        """The cost lab window once opened (show_cost_lab makes it), else None."""
        return self._cost_lab

    # -- help ---------------------------------------------------------------------------------
    def _show_guide(self) -> None:
        QMessageBox.information(self, "What am I looking at?",
                                style.readable_html(GUIDE, self.palette()))

    def _show_about(self) -> None:
        QMessageBox.about(self, f"About {APP_TITLE}", about_text())
