"""The Cost lab window: sweep sentence lengths on this machine in a worker and watch the RNN's,
attention's and minGRU's time, multiply-adds and sequential depth grow with n, beside Table 1."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QMenu, QProgressBar,
                               QPushButton, QScrollArea, QSplitter, QVBoxLayout, QWidget)

from engine.core.errors import ConfigError
from engine.labs.cost.sweep import LabResult
from gui import style
from gui.labs.cost import files
from gui.labs.cost.files import EXPORT_PREFIX
from gui.labs.cost.controls import DEFAULTS, FIELDS, CostLabControls
from gui.labs.cost.devices import CudaProbe
from gui.labs.cost.plots import DepthPlot, MacsPlot, TimePlot
from gui.labs.cost.runner import CostLabRunner, sweep_work
from gui.labs.cost.summary import outcome_text, settings_text, verdict_text, warning_text
from gui.labs.cost.table import CostTable
from gui.labs.lab_window import LabWindow, wrapping_label
from gui.export.registry import ExportRegistry
from gui.window_geometry import restore_fitted

TITLE = "Cost lab — sequential vs parallel on this machine"
GROUP = "cost_lab"
CAPTION = (  # {rnn}, {attention} and {scan}: the models' colours, legible on the palette, and
    # {rnn_name} ...: their names
    "<b>How to read this.</b> Each point is one sentence length n, measured on this machine: the "
    "RNN in <span style='color:{rnn}'>{rnn_name}</span> (solid: our step loop, one Python call "
    "per word; dashed: torch.nn.RNN), attention in <span style='color:{attention}'>"
    "{attention_name}</span> (solid: our attend(); dashed: torch's SDPA), minGRU, a recurrence "
    "linear in its state, in <span style='color:{scan}'>{scan_name}</span> (solid: the parallel "
    "scan; dashed: its step loop). "
    "On log-log axes n<sup>k</sup> is a straight line of slope k: "
    "the legends give each curve's slope over the upper half of n beside Table 1's exponent "
    "(recurrent O(n·d²) → 1, self-attention O(n²·d) → 2). The grey line marks n = d, below which "
    "Table 1 makes attention cheaper per layer. On a 2-core CPU attention's n² term overtakes the "
    "RNN at long n; on a GPU, which does the n² work in parallel while the RNN still waits n "
    "steps, it should not for a long while. Right-click a plot to export it.")



def caption_html(palette) -> str:
    """The caption with the models' colours named ("orange", "blue", "purple") and written in
    them, as legible on the palette, in the current colour set."""
    keys = ("rnn", "attention", "scan")
    return CAPTION.format(**{key: style.readable_on(style.model_colour(key), palette).name()
                             for key in keys},
                          **{f"{key}_name": style.colour_name(key) for key in keys})


class CostLabWindow(LabWindow):
    """A top-level window; keep one instance and show() it again (closing cancels a sweep)."""

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None):
        super().__init__(TITLE, (1400, 900), parent, settings)
        self.rows: list = []
        self.result: LabResult | None = None
        self._config = None
        self.runner = CostLabRunner(self)
        self.probe = CudaProbe(self)
        self.controls = CostLabControls()
        self.plots = {"time": TimePlot(), "multiply-adds": MacsPlot(), "depth": DepthPlot()}
        self.export_targets = ExportRegistry()
        self.export_targets.add_all({EXPORT_PREFIX + name: plot for name, plot in self.plots.items()},
                                    "plot")
        self.export_targets.add("cost-lab", self, "window")
        self.table = CostTable()
        self._build_widgets()
        self._build_layout()
        self._build_menu()
        self._connect()
        self._restore_settings()
        self._reset_views(self.controls.values())
        self._sync_buttons()

    # -- building ---------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.run_button = QPushButton("Run sweep")
        self.run_button.setToolTip("Measure every n from the shortest to the longest (doubling).")
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop before the next timed run; the rows so far stay.")
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(False)
        self.status_label = wrapping_label("Choose the settings and press Run sweep.")
        self.device_label = wrapping_label("")
        style.colour_text(self.device_label, "muted")
        self.save_csv_button = QPushButton("Save CSV…")
        self.save_csv_button.setToolTip("One line per n: median, fastest and slowest time and "
                                        "counted multiply-adds of each implementation.")
        self.save_json_button = QPushButton("Save JSON…")
        self.save_json_button.setToolTip("Everything: settings, every timed repeat, counts, "
                                         "fitted slopes and Table 1.")
        self.caption = wrapping_label(caption_html(QApplication.palette()))
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.verdict_label = wrapping_label("")
        self.warning_label = wrapping_label("")
        style.colour_text(self.warning_label, "error")
        self.warning_label.setToolTip("A timing is unsteady when the middle half of its repeats "
                                      "spans more than 25% of its median. A time slope is "
                                      "compared with the slope of the counted multiply-adds "
                                      "over the same n.")

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
        for widget in (self.progress_bar, self.status_label, self.device_label):
            layout.addWidget(widget)
        saves = QHBoxLayout()
        saves.addWidget(self.save_csv_button)
        saves.addWidget(self.save_json_button)
        layout.addLayout(saves)
        layout.addSpacing(8)
        layout.addWidget(QLabel("<b>What this sweep shows</b>"))
        layout.addWidget(self.warning_label)  # first: no conclusion is read before its warnings
        layout.addWidget(self.verdict_label)
        layout.addStretch(1)
        return self._scrolling(panel)

    def _views(self) -> QWidget:
        """Caption; time and multiply-adds side by side; depth beside the table (splitters).
        The verdict and its warnings sit in the side panel, where they can grow."""
        table_side = QWidget()
        table_column = QVBoxLayout(table_side)
        table_column.setContentsMargins(0, 0, 0, 0)
        table_column.addWidget(self.table, 1)
        top = _splitter(Qt.Orientation.Horizontal, (self.plots["time"], 1),
                        (self.plots["multiply-adds"], 1))
        bottom = _splitter(Qt.Orientation.Horizontal, (self.plots["depth"], 4), (table_side, 5))
        rows = _splitter(Qt.Orientation.Vertical, (top, 4), (bottom, 3))  # 3 table rows
        views = QWidget()
        layout = QVBoxLayout(views)
        layout.addWidget(self.caption)
        layout.addWidget(rows, 1)
        return views

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("&File")
        self._action(menu, "&Open results…", self.open_result, QKeySequence.StandardKey.Open)
        self.save_csv_action = self._action(menu, "Save results as &CSV…", lambda: self.save("csv"))
        self.save_json_action = self._action(menu, "Save results as &JSON…",
                                             lambda: self.save("json"))
        menu.addSeparator()
        self._action(menu, "&Close", self.close, QKeySequence.StandardKey.Close)

    def _connect(self) -> None:
        self.run_button.clicked.connect(lambda: self.start_sweep())
        self.cancel_button.clicked.connect(self.cancel_sweep)
        self.save_csv_button.clicked.connect(lambda: self.save("csv"))
        self.save_json_button.clicked.connect(lambda: self.save("json"))
        self.runner.row_arrived.connect(self._on_runner_row_arrived)
        self.runner.progress.connect(self._on_runner_progress)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self.runner.busy_changed.connect(self._sync_buttons)
        self.probe.answered.connect(self.controls.set_cuda_status)
        self.controls.values_changed.connect(self._on_controls_values_changed)
        for name, plot in self.export_targets.widgets("plot").items():
            short = name.removeprefix(EXPORT_PREFIX)
            plot.export_menu_requested.connect(lambda pos, short=short, plot=plot:
                                               self._on_plot_export_menu_requested(short, plot, pos))

    # -- actions ----------------------------------------------------------------------------------
    def start_sweep(self, work=None) -> bool:
        """Validate the settings and start a sweep; False (errors shown inline) when invalid.

        `work(on_result, progress, cancel) -> LabResult` replaces the engine's sweep (a test seam).
        """
        if self.runner.busy:
            return False
        self.controls.clear_errors()
        try:
            config = self.controls.config()
        except ConfigError as error:
            self.controls.show_error(error.field, error.problem)
            self._set_status("Fix the setting marked in red, then run again.", error=True)
            return False
        self._save_settings()
        self._config, self.rows, self.result = config, [], None
        self._reset_views(self.controls.values())
        self.progress_bar.setValue(0)
        self._set_status(f"Measuring n = {config.lengths[0]} … {config.lengths[-1]} "
                         f"on {config.device}…")
        self.device_label.setText(settings_text(config))
        self.runner.run_work(work or sweep_work(config))
        self._sync_buttons()
        return True

    def cancel_sweep(self) -> None:
        if self.runner.busy:
            self.runner.cancel()
            self._set_status("Cancelling after the current timed run…")
            self._sync_buttons()

    def open_result(self) -> bool:
        """Ask for a JSON file saved by this lab and show it; False if none was shown."""
        if self.runner.busy:
            return False
        result = files.open_result(self, self._settings)
        if result is None:
            return False
        self.show_result(result)
        return True

    def show_result(self, result: LabResult) -> None:
        """Show a finished sweep (a saved one, say) as if it had just been measured."""
        self._config, self.rows = result.config, []
        self._reset_views(dict(self.controls.values(), d_model=result.config.d_model))
        self._on_runner_finished(result)

    def save(self, fmt: str):
        """Ask for a file and write the last sweep's results ('csv' or 'json')."""
        if self.result is None:
            return None
        return files.save_result(self, self.result, fmt, self._settings)

    def export_menu(self, name: str, plot) -> QMenu:
        """The PNG / SVG menu of one plot (right-click shows it)."""
        return files.plot_export_menu(self, plot, name, self._settings)

    def _on_controls_values_changed(self) -> None:
        """Before any rows, the plots preview the chosen range (ticks, n = d, Table 1's shapes)."""
        if not self.rows and not self.runner.busy:
            self._config = None
            self._reset_views(self.controls.values())

    # -- runner slots -----------------------------------------------------------------------------
    def _on_runner_row_arrived(self, row) -> None:
        self.rows.append(row)
        self._show_rows()

    def _on_runner_progress(self, fraction: float, label: str) -> None:
        self.progress_bar.setValue(round(1000 * fraction))
        if not self.runner.cancelling:
            self._set_status(label)

    def _on_runner_finished(self, result: LabResult) -> None:
        self.result, self.rows = result, list(result.rows)
        self._show_rows()
        if result.completed:
            self.progress_bar.setValue(1000)
        self.device_label.setText(f"Measured on {result.device_name}, torch "
                                  f"{result.torch_version}. {settings_text(result.config)}")
        self._set_status(outcome_text(result.stopped_reason, len(result.rows)),
                         error=not result.completed)
        self._sync_buttons()

    def _on_runner_failed(self, message: str, field: str) -> None:
        if field and self.controls.show_error(field, message):
            self._set_status("Fix the setting marked in red, then run again.", error=True)
        else:
            self._set_status(outcome_text(message, len(self.rows)), error=True)
        if self.rows and self._config is not None:  # partial rows stay on screen and can be saved
            self.result = LabResult(self._config, tuple(self.rows), message, "unknown", "unknown")
        self._sync_buttons()

    # -- views ------------------------------------------------------------------------------------
    def _reset_views(self, values: dict) -> None:
        lengths = self._config.lengths if self._config else _lengths(values)
        for plot in self.plots.values():
            plot.reset(lengths, values["d_model"])
        self._show_rows()

    def _show_rows(self) -> None:
        for plot in self.plots.values():
            plot.show_rows(self.rows)
        self.table.show_rows(self.rows)
        self.verdict_label.setText(verdict_text(self._config, self.rows))
        warnings = warning_text(self.rows, self._config)
        self.warning_label.setText(warnings)
        self.warning_label.setVisible(bool(warnings))

    def _sync_buttons(self, *_args) -> None:
        busy = self.runner.busy
        self.controls.setEnabled(not busy)  # the plots show the settings the sweep runs with
        self.run_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy and not self.runner.cancelling)
        can_save = not busy and self.result is not None and bool(self.result.rows)
        for widget in (self.save_csv_button, self.save_json_button, self.save_csv_action,
                       self.save_json_action):
            widget.setEnabled(can_save)

    # -- settings and window events --------------------------------------------------------------
    def _restore_settings(self) -> None:
        """The last sweep's settings. A settings file can hold anything: a value that no control
        offers is forgotten, the default kept, and its key named in the status bar."""
        if self._settings is None:
            return
        self._settings.beginGroup(GROUP)
        try:
            stored = {name: _stored(self._settings, name) for name in (*FIELDS, "geometry", "folder")
                      if self._settings.contains(name)}
            values, damaged = _parsed({name: stored[name] for name in FIELDS if name in stored})
            damaged += self.controls.set_values(values)
            if "geometry" in stored and not (isinstance(stored["geometry"], QByteArray)
                                             and restore_fitted(self, stored["geometry"])):
                damaged.append("geometry")
            if "folder" in stored and not _is_path_text(stored["folder"]):  # files.FOLDER_KEY
                damaged.append("folder")
            damaged = [name for name in (*FIELDS, "geometry", "folder") if name in damaged]
            for name in damaged:
                self._settings.remove(name)
        finally:
            self._settings.endGroup()
        if damaged:
            names = ", ".join(f"{GROUP}/{name}" for name in damaged)
            what = "a damaged remembered setting" if len(damaged) == 1 else "damaged remembered settings"
            self.statusBar().showMessage(f"Ignored {what}: {names}.", 30_000)

    @property
    def notice(self) -> str:
        """The notice shown in the status bar now (damaged settings ignored), or ""."""
        return self.statusBar().currentMessage()

    def _save_settings(self) -> None:
        if self._settings is None:
            return
        self._settings.beginGroup(GROUP)
        for name, value in self.controls.values().items():
            self._settings.setValue(name, value)
        self._settings.setValue("geometry", self.saveGeometry())
        self._settings.endGroup()
        self._settings.sync()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in style.PALETTE_EVENTS and self.__dict__.get("caption") is not None:
            self.follow_colours()

    def follow_colours(self) -> None:
        """The caption names and shows the current colour set's colours (the plots follow it
        themselves)."""
        self.caption.setText(caption_html(QApplication.palette()))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.probe.start()  # imports torch in a worker: the window is already up

    def closeEvent(self, event) -> None:
        self._save_settings()
        self.cancel_sweep()
        super().closeEvent(event)


def _splitter(orientation, *parts) -> QSplitter:
    """A splitter over (widget, share) parts, sized in those proportions."""
    splitter = QSplitter(orientation)
    splitter.setChildrenCollapsible(False)
    for index, (widget, share) in enumerate(parts):
        splitter.addWidget(widget)
        splitter.setStretchFactor(index, share)
    splitter.setSizes([1000 * share for _widget, share in parts])
    return splitter


def _lengths(values: dict) -> tuple[int, ...]:
    """The lengths the controls ask for, or just (min_n,) while they are invalid."""
    from engine.labs.cost.config import default_lengths

    try:
        return default_lengths(values["min_n"], values["max_n"])
    except ConfigError:
        return (values["min_n"],)


def _stored(settings: QSettings, name: str):
    try:
        return settings.value(name)
    except (TypeError, ValueError, OverflowError, RuntimeError):  # a value PySide cannot convert
        return None


def _is_path_text(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 4096 and "\0" not in value


def _parsed(stored: dict) -> tuple[dict, list[str]]:
    """QSettings values (strings in INI files) back to the controls' types, and the names of
    those that are not of that type at all."""
    values, damaged = {}, []
    for name, value in stored.items():
        default = DEFAULTS[name]
        if isinstance(default, bool):
            parsed = _true_or_false(value)
        elif isinstance(default, int):
            parsed = _whole_number(value)
        else:
            parsed = value if isinstance(value, str) else None
        if parsed is None:
            damaged.append(name)
        else:
            values[name] = parsed
    return values, damaged


def _true_or_false(value) -> bool | None:
    if isinstance(value, bool):
        return value
    return {"true": True, "false": False}.get(value.lower()) if isinstance(value, str) else None


def _whole_number(value) -> int | None:
    """An int, or the text of one as INI files store it; None for anything else (NaN, 1e999,
    a list, true, a thousand digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and len(value) <= 20:
        try:
            return int(value)
        except ValueError:
            return None
    return None
