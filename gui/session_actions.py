"""Save session / Open session / Open recent for the main window (File menu, Ctrl+S, Ctrl+O)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from engine.core.errors import EngineInputError
from gui.session import Session, load_session, save_session

MAX_RECENT = 8
MAX_PATH_CHARS = 4096  # PATH_MAX on Linux: a longer remembered path is damage
FILTER = "Session (*.json)"


def remembered_path(value) -> str | None:
    """A remembered file or folder name, or None if the settings hold something else there."""
    if isinstance(value, str) and 0 < len(value) <= MAX_PATH_CHARS and "\0" not in value:
        return value
    return None


def remembered_recent(value) -> list[str] | None:
    """The remembered recent sessions, or None if the settings hold something else there."""
    if value is None:  # how QSettings reads back an empty list
        return []
    paths = [value] if isinstance(value, str) else value  # a one-item list reads back as its item
    if not isinstance(paths, list) or len(paths) > MAX_RECENT \
            or any(remembered_path(path) is None for path in paths):
        return None
    return paths


class SessionActions(QObject):
    """Writes the window's run and view to JSON, and reopens them (the engine re-runs, exactly)."""

    SETTINGS = {"session/recent": remembered_recent, "session/folder": remembered_path}

    def __init__(self, window, settings: QSettings):
        super().__init__(window)
        self._window, self._settings = window, settings
        self.recent_menu = QMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)

    def add_menu_actions(self, menu: QMenu) -> None:
        for text, shortcut, slot in (("&Open session…", QKeySequence.StandardKey.Open, self.open_dialog),
                                     ("&Save session…", QKeySequence.StandardKey.Save, self.save_dialog)):
            action = QAction(text, self._window)
            action.setShortcut(shortcut)
            action.triggered.connect(slot)
            menu.addAction(action)
            self._window.addAction(action)
        menu.addMenu(self.recent_menu)

    # -- recent ---------------------------------------------------------------------------------
    def recent(self) -> list[str]:
        return remembered_recent(self._settings.value("session/recent")) or []

    def _folder(self) -> str:
        return remembered_path(self._settings.value("session/folder")) or str(Path.home())

    def _remember(self, path: Path) -> None:
        paths = [str(path)] + [p for p in self.recent() if p != str(path)]
        self._settings.setValue("session/recent", paths[:MAX_RECENT])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent()
        if not paths:
            self.recent_menu.addAction("(no sessions yet)").setEnabled(False)
        for path in paths:
            self.recent_menu.addAction(path, lambda path=path: self.open(path))

    # -- save and open --------------------------------------------------------------------------
    def current_session(self) -> Session | None:
        window = self._window
        trace = window.timeline.trace
        if trace is None:
            return None
        session = Session(sentence=trace.sentence, config=trace.config, tick=window.timeline.tick,
                          selected_token=window.selection.pinned, trace_digest=trace.digest())
        if trace.has_random_weights:
            return session
        return session.with_weights(window.weight_actions.shown_weights())  # and their file

    def save(self, path: str | Path) -> Path:
        session = self.current_session()
        if session is None:
            raise EngineInputError("there is no run to save yet")
        path = save_session(path, session)
        self._remember(path)
        return path

    def save_dialog(self) -> None:
        if self._window.timeline.trace is None:
            QMessageBox.information(self._window, "Nothing to save", "Run a sentence first.")
            return
        path, _ = QFileDialog.getSaveFileName(self._window, "Save session",
                                              str(Path(self._folder()) / "session.json"), FILTER)
        if not path:
            return
        path = Path(path) if path.endswith(".json") else Path(path + ".json")
        try:
            saved = self.save(path)
        except EngineInputError as error:
            QMessageBox.warning(self._window, "Could not save the session", str(error))
            return
        self._settings.setValue("session/folder", str(saved.parent))  # only a folder that worked
        self._window.statusBar().showMessage(f"Session saved to {saved}", 8000)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self._window, "Open session", self._folder(), FILTER)
        if path and self.open(path):
            self._settings.setValue("session/folder", str(Path(path).parent))

    def open(self, path: str | Path) -> bool:
        """Load the session and re-run it; the view follows when the run finishes."""
        try:
            session = load_session(path)
        except EngineInputError as error:
            QMessageBox.warning(self._window, "Could not open the session",
                                f"{error}\n\nThe current view is kept.")
            return False
        self._remember(Path(path))
        return self._window.open_run(session)
