"""Save session / Open session / Open recent for the main window (File menu, Ctrl+S, Ctrl+O)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from engine.core.errors import EngineInputError
from gui.jobs import job_manager
from gui.session import Session, load_session_weights, read_session, save_session

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
        self._loading = None  # the job reading a session's weight file, if one is

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
        """Read the session and re-run it; the view follows when the run finishes. A weight file
        the session names is read on a worker thread first. False (with a message) for a
        session file that cannot be used; True once its run, or the reading of its weight file,
        has started (a weight file that fails says so then). A run or session asked for
        meanwhile replaces the one whose weights are loading."""
        try:
            session = read_session(path)
        except EngineInputError as error:
            self._refuse(error)
            return False
        self.forget_loading()
        self._window.weight_actions.forget_loading()  # the session names its own weights
        if not session.names_weights:
            return self._run(session, Path(path))
        self._loading = job_manager().submit(
            lambda _context: load_session_weights(session, path), name="session-weights",
            owner=self, on_result=lambda loaded: self._on_weights_loaded(loaded, Path(path)),
            on_error=self._on_weights_failed)
        return True

    def forget_loading(self) -> None:
        """Drop a session whose weight file is still being read (another run was chosen)."""
        if self._loading is not None:
            self._loading.discard()
            self._loading = None

    @property
    def loading(self) -> bool:
        """Whether a session's weight file is being read."""
        return self._loading is not None

    def _run(self, session: Session, path: Path) -> bool:
        self._remember(path)
        return self._window.open_run(session)

    def _on_weights_loaded(self, session: Session, path: Path) -> None:
        self._loading = None
        self._run(session, path)

    def _on_weights_failed(self, error: BaseException) -> None:
        self._loading = None
        self._refuse(error)

    def _refuse(self, error: BaseException) -> None:
        QMessageBox.warning(self._window, "Could not open the session",
                            f"{error}\n\nThe current view is kept.")
