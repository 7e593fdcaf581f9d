"""The export actions of the main window: images, animations and data, from the File menu and from
a right-click on any plot. Failures show a dialog; the view is never lost."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QMessageBox, QProgressDialog

from engine.core.errors import EngineInputError
from gui.export import targets
from gui.export.animation import AnimationExport, check_animation
from gui.export.batch import export_folder
from gui.export.data import write_matrix_csv
from gui.export.dialogs import AnimationOptionsDialog, ImageOptionsDialog
from gui.export.images import check_path_text, export_widget
from gui.export.snapshot import ExportSnapshot
from gui.session_actions import remembered_path

FILTERS = {"png": "PNG image (*.png)", "svg": "SVG vector image (*.svg)",
           "gif": "GIF animation (*.gif)", "mp4": "MP4 video (*.mp4)",
           "npz": "Trace data (*.npz)", "csv": "CSV table (*.csv)"}


class ExportController(QObject):
    """Owns no state of the run: it renders the window's widgets at the tick on screen, and
    animations on a private copy of them (gui/export/snapshot.py)."""

    SETTINGS = {"export/folder": remembered_path}  # checked by the window at start

    def __init__(self, window, settings: QSettings):
        super().__init__(window)
        self._window, self._settings = window, settings
        self.current = "window"  # the plot last hovered or right-clicked
        self._animation: AnimationExport | None = None
        self._watched: set[str] = set()
        self.watch_plots()

    def watch_plots(self) -> None:
        """Give every registered plot its right-click export menu (plots added since too)."""
        for name, plot in targets.plots(self._window).items():
            if name in self._watched:
                continue
            self._watched.add(name)
            plot.export_menu_requested.connect(
                lambda pos, name=name: self._on_plot_export_menu_requested(name, pos))
            if hasattr(plot, "hovered"):
                plot.hovered.connect(lambda index, name=name: self._note_current(name, index))

    def _note_current(self, name: str, index) -> None:
        if index is not None:
            self.current = name

    # -- menus ----------------------------------------------------------------------------------
    def add_menu_actions(self, menu: QMenu) -> None:
        self._add(menu, "&Export image…", "Ctrl+E", self.export_image,
                  "A plot, a panel, every panel or the whole window as PNG or SVG")
        self._add(menu, "Export &animation…", "Ctrl+Shift+E", self.export_animation,
                  "Every tick as a GIF (or MP4) animation")
        self._add(menu, "Export trace &data (.npz)…", None, self.export_trace,
                  "Everything the run recorded, in one numpy archive")
        self._add(menu, "Export matrix as &CSV…", None, lambda: self.export_csv(self.current),
                  "The matrix of the plot last pointed at, with its labels")

    def _add(self, menu: QMenu, text: str, shortcut, slot, tip: str) -> QAction:
        action = QAction(text, self._window)
        if shortcut:
            action.setShortcut(shortcut)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        self._window.addAction(action)
        return action

    def _on_plot_export_menu_requested(self, name: str, global_pos) -> None:
        self.current = name
        menu = QMenu(self._window)
        label = targets.describe(name)
        menu.addAction(f"Export {label} as PNG…", lambda: self.export_image_of(name, "png"))
        menu.addAction(f"Export {label} as SVG…", lambda: self.export_image_of(name, "svg"))
        if name in targets.heatmaps(self._window):
            menu.addAction(f"Export {label} data as CSV…", lambda: self.export_csv(name))
        menu.addAction(f"Export animation of {label}…", lambda: self.export_animation(name))
        menu.addSeparator()
        menu.addAction("Export image of anything…", self.export_image)
        menu.exec(global_pos)

    # -- helpers --------------------------------------------------------------------------------
    def _has_trace(self) -> bool:
        if self._window.timeline.trace is None:
            QMessageBox.information(self._window, "Nothing to export yet",
                                    "Run a sentence first: there is nothing on screen to export.")
            return False
        return True

    def _folder(self) -> str:
        folder = remembered_path(self._settings.value("export/folder"))
        return folder if folder is not None and Path(folder).is_dir() else str(Path.home())

    def _ask_path(self, title: str, name: str, fmt: str) -> Path | None:
        """The file the user chose, with the format's suffix; None if cancelled or unusable (a
        message says why)."""
        suggestion = str(Path(self._folder()) / f"{name}.{fmt}")
        path, _ = QFileDialog.getSaveFileName(self._window, title, suggestion, FILTERS[fmt])
        if not path:
            return None
        try:
            path = check_path_text(path)
        except EngineInputError as error:
            self._fail(error)
            return None
        if path.suffix.lower() != f".{fmt}":
            path = path.with_name(path.name + f".{fmt}")
        self._settings.setValue("export/folder", str(path.parent))
        return path

    def _fail(self, error: Exception) -> None:
        QMessageBox.warning(self._window, "Export failed",
                            f"{error}\n\nNothing was written; the app keeps its current view.")

    def _done(self, paths: list[Path]) -> None:
        text = str(paths[0]) if len(paths) == 1 else f"{len(paths)} files in {paths[0].parent}"
        self._window.statusBar().showMessage(f"Exported {text}", 8000)

    # -- actions --------------------------------------------------------------------------------
    def export_image(self) -> None:
        if not self._has_trace():
            return
        names = list(targets.all_targets(self._window))
        dialog = ImageOptionsDialog(names, self.current, self._window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        choice = dialog.choice()
        if choice["target"] == "*":
            folder = QFileDialog.getExistingDirectory(self._window, "Export every plot into", self._folder())
            if not folder:
                return
            try:
                self._done(export_folder(self._window, folder, [choice["format"]],
                                         width=choice["width"], scale=choice["scale"]))
            except EngineInputError as error:
                self._fail(error)
                return
            self._settings.setValue("export/folder", folder)
            return
        self.export_image_of(choice["target"], choice["format"], choice["width"], choice["scale"])

    def export_image_of(self, name: str, fmt: str, width: int | None = None,
                        scale: float | None = None) -> None:
        if not self._has_trace():
            return
        path = self._ask_path(f"Export {targets.describe(name)}", name, fmt)
        if path is None:
            return
        try:
            self._done([export_widget(targets.all_targets(self._window)[name], path, fmt, width, scale)])
        except EngineInputError as error:
            self._fail(error)

    def export_csv(self, name: str) -> None:
        if not self._has_trace():
            return
        heatmaps = targets.heatmaps(self._window)
        name = name if name in heatmaps else "attention-weights"
        path = self._ask_path(f"Export {targets.describe(name)} as CSV", name, "csv")
        if path is None:
            return
        try:
            self._done([write_matrix_csv(path, *heatmaps[name].shown_matrix())])
        except EngineInputError as error:
            self._fail(error)

    def export_trace(self) -> None:
        if not self._has_trace():
            return
        path = self._ask_path("Export trace data", "trace", "npz")
        if path is None:
            return
        try:
            self._done([self._window.timeline.trace.save(path)])
        except EngineInputError as error:
            self._fail(error)

    def export_animation(self, name: str | None = None) -> None:
        if not self._has_trace() or self._animation is not None:
            return
        widgets = targets.all_targets(self._window)
        widgets["window"] = self._window.views  # what an animation of the window draws
        dialog = AnimationOptionsDialog(list(widgets), self._window,
                                        {name: widget.width() for name, widget in widgets.items()})
        if name is not None:
            dialog.target.setCurrentIndex(max(0, dialog.target.findData(name)))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        choice = dialog.choice()
        path = self._ask_path("Export animation", f"{choice['target']}-animation", choice["format"])
        if path is None:
            return
        try:
            check_animation(path, choice["fps"], choice["format"])
        except EngineInputError as error:
            self._fail(error)
            return
        job = AnimationExport(ExportSnapshot(self._window, choice["target"]), path,
                              choice["fps"], choice["width"])
        self.run_animation(job)

    def cancel_animation(self) -> None:
        if self._animation is not None:
            self._animation.cancel()

    def run_animation(self, job: AnimationExport) -> None:
        """Run an export the window shows progress for (with Cancel); one at a time."""
        dialog = QProgressDialog(f"Rendering {job.frame_count} frames…", "Cancel", 0,
                                 job.frame_count, self._window)
        dialog.setWindowTitle("Export animation")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.canceled.connect(job.cancel)
        job.progress.connect(lambda done, total: dialog.setValue(done))
        job.progress.connect(lambda done, total: done == total and dialog.setLabelText("Writing the file…"))

        def end(message: str | None = None, path: str | None = None) -> None:
            self._animation = None
            dialog.reset()
            dialog.deleteLater()
            if path:
                self._done([Path(path)])
            elif message:
                self._fail(EngineInputError(message))

        job.finished.connect(lambda path: end(path=path))
        job.failed.connect(lambda message: end(message=message))
        job.cancelled.connect(lambda: end())
        self._animation = job
        job.start()
