"""The Lessons dock: the list of lessons, the current step's text, "step 2 of 6", and Back, Next
and Leave. Help → Lessons opens it; the last lesson and step are remembered. Nothing in it sets the
dock's width: long titles are elided (the full title in a tooltip) and a step's cosine table
scrolls sideways. A lab a step opens is placed beside the dock, not over the step's text."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFrame, QHBoxLayout, QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QScrollArea,
                               QSizePolicy, QVBoxLayout, QWidget)

from engine.analysis.similarity import cosine_table, format_table
from engine.core.config import SimConfig
from engine.core.errors import ConfigError
from gui import style
from gui.lessons.answer_mask import COUNTED_QUANTITIES, AnswerMask
from gui.lessons.check_card import CheckCard
from gui.lessons.files import load_lessons
from gui.lessons.runner import LAB_WINDOWS, LessonRunner
from gui.lessons.weights_note import WeightsNote
from gui.window_geometry import available_geometry, rect_beside

LAST_STEP_SETTING = "lessons/last"  # "lesson-id step-number"
NEXT_KEY, BACK_KEY, LEAVE_KEY = "Alt+Right", "Alt+Left", "Alt+Shift+L"  # free in the window
OPEN_KEY = "Shift+F1"  # beside F1
PANEL_LESSON_KEY = "F1"  # the lesson for the panel under the mouse
LIST_MIN_ROWS = 5  # the lesson list shrinks to this on a short screen (then it scrolls)
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
        self.answer_mask = AnswerMask(window)
        self._text_in_sight = False  # the dock shown and in front of the tab it shares
        self._build()
        self.runner.step_changed.connect(self._on_runner_step_changed)
        self.runner.ended.connect(self._show_step)
        self.runner.failed.connect(self.note.setText)
        self.runner.failed.connect(lambda _message: self.weights_note.refresh())
        self.runner.failed.connect(lambda _message: self._ask_check())
        self.runner.settled.connect(self._on_runner_settled)
        window.timeline.trace_changed.connect(self._on_timeline_trace_changed)
        self.visibilityChanged.connect(self.runner.highlight.set_allowed)
        self.visibilityChanged.connect(self._on_visibility_changed)
        self.check_card.revealed.connect(lambda _right: self._mask_giveaways())
        self._show_step()

    def _build(self) -> None:
        self.lesson_list = LessonList()
        for lesson in self.lessons:
            item = QListWidgetItem(lesson.title)
            item.setData(Qt.ItemDataRole.UserRole, lesson.id)
            item.setToolTip(lesson.title)  # the whole title where the dock's width elides it
            self.lesson_list.addItem(item)
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
        self.similarity = SimilarityTable()  # a step's cosine table of a few words
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
        self._place_opened_lab()

    def _place_opened_lab(self) -> None:
        """The lab this step opened, moved beside the dock where it covers the step's text."""
        step = self.runner.step
        if step is None or not step.has("open") or not self.isVisible():
            return
        lab = getattr(self.runner.window, LAB_WINDOWS[step.value("open")], None)
        if lab is None or not lab.isVisible():
            return
        dock_area = QRect(self.mapToGlobal(QPoint(0, 0)), self.size())
        if lab.frameGeometry().intersects(dock_area):
            lab.setGeometry(rect_beside(lab.size(), dock_area, available_geometry(lab)))

    def _on_visibility_changed(self, in_sight: bool) -> None:
        self._text_in_sight = in_sight
        self._mask_giveaways()

    def _mask_giveaways(self) -> None:
        """Cover the counts that state an open question's answer while the question is in
        sight; show them once it is answered, gone, or the dock is out of sight."""
        check = self.check_card.check
        if (self._text_in_sight and check is not None and not self.check_card.answered
                and check.quantity in COUNTED_QUANTITIES):
            self.answer_mask.cover()
        else:
            self.answer_mask.uncover()

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
        lacking = "the trained vocabulary" if trained else "GloVe"
        note = (f"not in {lacking} (seeded stand-ins): {', '.join(table.stand_ins)}"
                if table.stand_ins else "")
        self.similarity.show_table(
            f"cosine similarity ({table.source}{'' if trained else ' word vectors'})",
            format_table(table), note)

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
        self._mask_giveaways()

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


class LessonList(QListWidget):
    """The lessons' titles, one line each, elided to the dock's width (never a sideways scroll
    bar over the last title); as tall as all of them where the dock has room."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setUniformItemSizes(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def _height_for(self, rows: int) -> int:
        return self.sizeHintForRow(0) * max(rows, 1) + 2 * self.frameWidth() + 2

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height_for(self.count()))

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(),
                     self._height_for(min(self.count(), LIST_MIN_ROWS)))


class SimilarityTable(QWidget):
    """A cosine table: its title and note wrap, the monospaced table scrolls sideways rather
    than widen the dock."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.table = QLabel()
        self.table.setTextFormat(Qt.TextFormat.PlainText)
        self.table.setStyleSheet("font-family: monospace;")
        self.table.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.table)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.title, self.scroll, self.note):
            layout.addWidget(widget)

    def show_table(self, title: str, table: str, note: str = "") -> None:
        self.title.setText(title)
        self.table.setText(table)
        self.table.adjustSize()
        self.scroll.setFixedHeight(self.table.height()
                                   + self.scroll.horizontalScrollBar().sizeHint().height())
        self.scroll.setVisible(bool(table))
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def setText(self, text: str) -> None:
        """A message in place of the table (the words cannot be compared)."""
        self.show_table(text, "")

    def text(self) -> str:
        """What the table shows, as one text (title, table, note)."""
        return "\n".join(part for part in (self.title.text(), self.table.text(), self.note.text())
                         if part)


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
