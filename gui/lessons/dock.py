"""The Lessons dock: the list of lessons, the current step's text, "step 2 of 6", and Back, Next
and Leave. Help → Lessons opens it; the last lesson and step are remembered."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QVBoxLayout, QWidget)

from engine.analysis.similarity import cosine_table, format_table
from engine.core.config import SimConfig
from engine.core.errors import ConfigError
from gui import style
from gui.lessons.check_card import CheckCard
from gui.lessons.files import load_lessons
from gui.lessons.runner import LessonRunner
from gui.lessons.weights_note import WeightsNote

LAST_STEP_SETTING = "lessons/last"  # "lesson-id step-number"
NEXT_KEY, BACK_KEY, LEAVE_KEY = "Alt+Right", "Alt+Left", "Alt+Shift+L"  # free in the window
OPEN_KEY = "Shift+F1"  # beside F1
PANEL_LESSON_KEY = "F1"  # the lesson for the panel under the mouse
WELCOME = ("Pick a lesson to walk through the reference text on screen, step by step. Each step "
           "sets up the view it talks about and outlines the panel to look at.")


class LessonDock(QDockWidget):
    """Lists the lessons in resources/lessons/ and walks the chosen one on `window`."""

    def __init__(self, window, settings, folder=None):
        super().__init__("Lessons", window)
        self.setObjectName("lessons")
        self.settings = settings
        self.lessons, self.problems = load_lessons(folder)
        self.runner = LessonRunner(window)
        self._build()
        self.runner.step_changed.connect(self._on_runner_step_changed)
        self.runner.ended.connect(self._show_step)
        self.runner.failed.connect(self.note.setText)
        self.runner.failed.connect(lambda _message: self._ask_check())
        self.runner.settled.connect(self._on_runner_settled)
        window.timeline.trace_changed.connect(self._on_timeline_trace_changed)
        self.visibilityChanged.connect(self.runner.highlight.set_allowed)
        self._show_step()

    def _build(self) -> None:
        self.lesson_list = QListWidget()
        for lesson in self.lessons:
            item = QListWidgetItem(lesson.title)
            item.setData(Qt.ItemDataRole.UserRole, lesson.id)
            self.lesson_list.addItem(item)
        rows = max(self.lesson_list.count(), 1)
        self.lesson_list.setMaximumHeight(self.lesson_list.sizeHintForRow(0) * rows
                                          + 2 * self.lesson_list.frameWidth() + 4)
        self.lesson_list.itemActivated.connect(self._on_lesson_list_activated)
        self.lesson_list.itemClicked.connect(self._on_lesson_list_activated)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.counter = QLabel()
        style.colour_text(self.counter, "muted")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setMinimumHeight(120)
        self.check_card = CheckCard(self._trace_on_screen)
        self.similarity = QLabel()  # a step's cosine table of a few words
        self.similarity.setTextFormat(Qt.TextFormat.PlainText)
        self.similarity.setWordWrap(False)
        self.similarity.setStyleSheet("font-family: monospace;")
        self.similarity.setVisible(False)
        self.weights_note = WeightsNote(self.runner.window, self.runner)
        self.note = QLabel()
        self.note.setWordWrap(True)
        style.colour_text(self.note, "error")
        self.problem_label = QLabel("\n".join(self.problems))
        self.problem_label.setWordWrap(True)
        self.problem_label.setVisible(bool(self.problems))
        style.colour_text(self.problem_label, "error")
        self.back_button = self._button("Back", BACK_KEY, self.runner.back)
        self.next_button = self._button("Next", NEXT_KEY, self.runner.next)
        self.leave_button = self._button("Leave", LEAVE_KEY, self.runner.leave)
        buttons = QHBoxLayout()
        for button in (self.back_button, self.next_button, self.leave_button):
            buttons.addWidget(button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.lesson_list)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.title)
        layout.addWidget(self.counter)
        layout.addWidget(self.text)
        layout.addWidget(self.check_card)
        layout.addWidget(self.similarity)
        layout.addWidget(self.weights_note)
        layout.addWidget(self.note)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setWidget(body)

    def _button(self, text: str, key: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(f"{text} ({QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)})")
        button.clicked.connect(slot)
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.parentWidget().addAction(action)  # works wherever the focus is in the window
        return button

    # -- lessons ---------------------------------------------------------------------------------
    def lesson_named(self, lesson_id: str):
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def start(self, lesson_id: str, step: int = 0) -> bool:
        """Begin the lesson `lesson_id` at `step` (0-based); False if there is no such lesson."""
        lesson = self.lesson_named(lesson_id)
        if lesson is None:
            return False
        self.note.setText("")
        self.show()  # the step's text belongs beside its highlight
        self.raise_()
        self.runner.start(lesson, step)
        return True

    def resume(self) -> None:
        """Open the dock on the lesson and step last shown (read defensively), else the list."""
        lesson_id, step = remembered_step(self.settings.value(LAST_STEP_SETTING))
        if self.runner.lesson is None and lesson_id is not None:
            self.start(lesson_id, step)
        self.show()
        self.raise_()

    def _on_lesson_list_activated(self, item: QListWidgetItem) -> None:
        lesson_id = item.data(Qt.ItemDataRole.UserRole)
        if self.runner.lesson is None or self.runner.lesson.id != lesson_id:
            self.start(lesson_id)

    def _on_runner_step_changed(self, index: int) -> None:
        self.settings.setValue(LAST_STEP_SETTING, f"{self.runner.lesson.id} {index}")
        self._show_step()

    def _trace_on_screen(self):
        """(trace, attention head) the window shows: what a check's answer is computed from."""
        window = self.runner.window
        return window.timeline.trace, window.attention_panel.head

    def _on_runner_settled(self) -> None:
        self.note.setText("")
        self._ask_check()
        self._show_similarity()
        self.weights_note.refresh()

    def _show_similarity(self) -> None:
        """The step's cosine table, under the word vectors of the run on screen."""
        step = self.runner.step
        words = step.value("similarity") if step is not None else None
        self.similarity.setVisible(bool(words))
        if not words:
            return
        config = self.runner.window.state.config or SimConfig()
        trained = self._trained_word_table()
        try:
            table = cosine_table(list(words), config, trained)
        except ConfigError as error:
            self.similarity.setText(f"The words cannot be compared: {error.problem}")
            return
        lines = [f"cosine similarity ({table.source}{'' if trained else ' word vectors'})",
                 format_table(table)]
        if table.stand_ins:
            lacking = "the trained vocabulary" if trained else "GloVe"
            lines.append(f"not in {lacking} (seeded stand-ins): {', '.join(table.stand_ins)}")
        self.similarity.setText("\n".join(lines))

    def _trained_word_table(self):
        """The word vectors attention reads in the run on screen, when trained weights gave
        them; None for the config's own (random or GloVe)."""
        shown = self.runner.window.weight_actions.shown
        return shown.transformer_input.word_vectors \
            if shown is not None and shown.transformer_input is not None else None

    def _on_timeline_trace_changed(self, _trace) -> None:
        """Another run on screen: an open question's choices follow its words."""
        self.weights_note.refresh()
        if self.check_card.check is not None and not self.check_card.answered:
            self._ask_check()

    def _ask_check(self) -> None:
        """The step's prediction question afresh (any earlier guess forgotten), or none."""
        step = self.runner.step
        check = step.value("check") if step is not None else None
        self.check_card.present(check, waiting=self.runner.waiting)

    def _show_step(self) -> None:
        self._ask_check()
        self._show_similarity()
        self.weights_note.refresh()
        lesson, step = self.runner.lesson, self.runner.step
        if lesson is None:
            self.title.setText("")
            self.counter.setText("")
            self.text.setText(WELCOME if self.lessons else "No lessons could be loaded.")
        else:
            self.title.setText(f"<b>{lesson.title}</b>")
            self.counter.setText(f"step {self.runner.index + 1} of {len(lesson.steps)}")
            self.text.setText(step.text)
        last = lesson is None or self.runner.index >= len(lesson.steps) - 1
        self.back_button.setEnabled(lesson is not None and self.runner.index > 0)
        self.next_button.setEnabled(not last)
        self.leave_button.setEnabled(lesson is not None)


def remembered_step(value) -> tuple[str | None, int]:
    """("lesson-id", step) from the remembered "lesson-id step" text; (None, 0) when damaged."""
    if not isinstance(value, str):
        return None, 0
    parts = value.split()
    if len(parts) != 2 or not parts[1].isdigit() or len(parts[1]) > 3:
        return None, 0
    return parts[0], int(parts[1])


def install_lesson_dock(window, help_menu) -> LessonDock:
    """Create the (hidden) Lessons dock on `window` and its Help → Lessons action."""
    dock = LessonDock(window, window.settings)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.tabifyDockWidget(window.parameter_dock, dock)
    dock.hide()
    action = QAction("&Lessons", window)
    action.setShortcut(QKeySequence(OPEN_KEY))
    action.setStatusTip("Walk through the reference text on screen, one step at a time")
    action.triggered.connect(dock.resume)
    help_menu.addAction(action)
    window.addAction(action)
    _install_panel_lessons(window, dock, help_menu)
    return dock


def _install_panel_lessons(window, dock, help_menu) -> None:
    """F1: the lesson for the panel under the mouse; and each panel title's "?" link."""
    from gui.lessons.panel_lessons import link_panels_to_lessons, open_lesson_under_mouse

    action = QAction("Lesson for the panel under the mouse", window)
    action.setShortcut(QKeySequence(PANEL_LESSON_KEY))
    action.setStatusTip("Open the lesson that explains the panel under the mouse pointer")
    action.triggered.connect(lambda: open_lesson_under_mouse(window))
    help_menu.addAction(action)
    window.addAction(action)
    link_panels_to_lessons(window, dock)
