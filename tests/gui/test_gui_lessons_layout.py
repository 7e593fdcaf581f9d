"""Lessons and the screen: lab windows open no larger than the screen and, opened by a step, beside
the Lessons dock; the outlined panel is scrolled into view; the dock's list and cosine table never
widen it or hide a title; an open count question covers the counts that would answer it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QDataStream, QIODevice, QPoint, QRect, QSettings, QSize

from gui.lessons.answer_mask import COUNTING_COLUMNS, HIDDEN_TEXT, LabelCover
from gui.window_geometry import FRAME_MARGINS, fitted_size, rect_beside

SETTLE_TIMEOUT = 60_000  # ms: a lesson's preset may run D = 512 on a busy machine


def settle(qtbot, dock):
    qtbot.waitUntil(lambda: not dock.runner.waiting, timeout=SETTLE_TIMEOUT)


def shown_dock(qtbot, window):
    dock = window.lesson_dock
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: not dock.widget().visibleRegion().isEmpty())
    return dock


def global_rect(widget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


# -- lab windows and the screen ------------------------------------------------------------------
def test_fitted_size_never_exceeds_the_screen():
    screen = QRect(0, 0, 1280, 800)
    room = screen.marginsRemoved(FRAME_MARGINS).size()
    assert fitted_size(QSize(1500, 950), screen) == QSize(room.width(), room.height())
    assert fitted_size(QSize(600, 400), screen) == QSize(600, 400)


@pytest.mark.parametrize("dock, side", [(QRect(960, 30, 320, 760), "left"),
                                        (QRect(0, 30, 300, 760), "right")])
def test_a_window_beside_the_dock_leaves_the_dock_uncovered(dock, side):
    screen = QRect(0, 0, 1280, 800)
    rect = rect_beside(QSize(1500, 950), dock, screen)
    framed = rect.marginsAdded(FRAME_MARGINS)
    assert not framed.intersects(dock)
    assert screen.contains(framed)
    assert (framed.right() < dock.left()) if side == "left" else (framed.left() > dock.right())


def test_a_window_beside_a_dock_off_the_screen_may_use_the_whole_screen():
    screen = QRect(0, 0, 800, 800)
    rect = rect_beside(QSize(700, 500), QRect(1300, 0, 300, 1000), screen)
    assert rect.size() == QSize(700, 500) and screen.contains(rect)


@pytest.mark.parametrize("opener", ["cost", "deer", "training"])
def test_labs_open_at_their_size_capped_by_the_screen(qtbot, opener):
    from gui.labs.cost import CostLabWindow
    from gui.labs.deer import DeerLabWindow
    from gui.labs.training import TrainingLabWindow

    lab = {"cost": CostLabWindow, "deer": DeerLabWindow, "training": TrainingLabWindow}[opener]()
    qtbot.addWidget(lab)
    room = lab.screen().availableGeometry().marginsRemoved(FRAME_MARGINS).size()
    assert lab.width() <= room.width() and lab.height() <= room.height()


def saved_geometry(rect: QRect) -> QByteArray:
    """A QWidget.saveGeometry() value for a window at `rect` on a 2560 px wide screen."""
    data = QByteArray()
    stream = QDataStream(data, QIODevice.OpenModeFlag.WriteOnly)
    stream.setVersion(QDataStream.Version.Qt_4_0)
    stream.writeUInt32(0x1D9D0CB)
    stream.writeUInt16(3)
    stream.writeUInt16(0)
    stream << rect << rect
    stream.writeInt32(0)
    stream.writeUInt8(0)
    stream.writeUInt8(0)
    stream.writeInt32(2560)
    stream << rect
    return data


@pytest.mark.parametrize("group", ["deer_lab", "cost_lab"])
def test_a_remembered_lab_geometry_is_restored_but_fitted_to_the_screen(qtbot, tmp_path, group):
    from gui.labs.cost import CostLabWindow
    from gui.labs.deer import DeerLabWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue(f"{group}/geometry", saved_geometry(QRect(300, 200, 2400, 1400)))
    make = DeerLabWindow if group == "deer_lab" else CostLabWindow
    lab = make(settings=settings)
    qtbot.addWidget(lab)
    room = lab.screen().availableGeometry().marginsRemoved(FRAME_MARGINS)
    assert room.contains(lab.geometry()), lab.geometry()
    assert settings.contains(f"{group}/geometry")  # not called damaged
    small = QRect(room.x() + 10, room.y() + 20, 500, 400)
    settings.setValue(f"{group}/geometry", saved_geometry(small))
    again = make(settings=settings)
    qtbot.addWidget(again)
    assert again.geometry() == small  # a geometry that fits is restored as it was


def test_a_lab_a_step_opens_leaves_the_lessons_text_in_sight(qtbot, make_window):
    window = make_window(show=True, size=(1000, 780))
    dock = shown_dock(qtbot, window)
    lesson = dock.lesson_named("scan-lane")
    assert dock.start("scan-lane", len(lesson.steps) - 1)  # its last step opens the DEER lab
    lab = window.deer_lab
    qtbot.waitUntil(lab.isVisible)
    settle(qtbot, dock)
    available = lab.screen().availableGeometry()
    assert not lab.frameGeometry().intersects(global_rect(dock.text)), (lab.frameGeometry(),
                                                                       global_rect(dock.text))
    assert available.contains(lab.frameGeometry())
    lab.close()


# -- the outlined panel in view -----------------------------------------------------------------
def test_the_outlined_scan_lane_is_scrolled_into_view_on_a_small_window(qtbot, make_window):
    window = make_window(show=True, size=(1280, 800))
    dock = shown_dock(qtbot, window)
    assert dock.start("scan-lane", 2)  # the lane on, outlined
    settle(qtbot, dock)
    panel, highlight = window.views.scan_panel, dock.runner.highlight
    assert highlight.panel == "scan"
    scroll = window.views.panel_scroll

    def whole_panel_in_view() -> bool:
        """Read afresh each time: the lane's layout settles after its run arrives."""
        expected = QSize(min(panel.width(), scroll.viewport().width()), panel.height())
        corner = panel.mapTo(window.views, QPoint(0, 0))  # its title in view, not cut at the left
        target = highlight.target_rect()
        return target.size() == expected and target.topLeft() == corner

    qtbot.waitUntil(whole_panel_in_view)
    assert panel.height() <= scroll.viewport().height()  # so all of its height can show


# -- the dock's own layout ----------------------------------------------------------------------
def test_the_lesson_list_shows_every_title_without_a_sideways_scroll_bar(qtbot, make_window):
    window = make_window(show=True, size=(1600, 1000))
    dock = shown_dock(qtbot, window)
    listing = dock.lesson_list
    qtbot.waitUntil(lambda: listing.height() >= listing.sizeHint().height())
    assert not listing.horizontalScrollBar().isVisible()
    last = listing.visualItemRect(listing.item(listing.count() - 1))
    assert 0 <= last.top() and last.bottom() < listing.viewport().height()
    for row, lesson in enumerate(dock.lessons):
        assert listing.item(row).toolTip() == lesson.title  # the whole title, where it is elided


def test_the_cosine_table_does_not_widen_the_dock(qtbot, make_window):
    window = make_window(show=True, size=(1280, 800))
    dock = shown_dock(qtbot, window)
    narrowest = dock.widget().minimumSizeHint().width()
    assert dock.start("one-word", 2)  # its cosine table of four words
    settle(qtbot, dock)
    assert dock.similarity.isVisible() and "cosine similarity" in dock.similarity.text()
    assert dock.widget().minimumSizeHint().width() <= narrowest


# -- an open count question hides its answer ----------------------------------------------------
def covered_labels(window):
    return [cover.target for cover in window.findChildren(LabelCover) if cover.isVisible()]


def test_a_count_question_covers_the_counts_until_it_is_answered(qtbot, make_window):
    window = make_window(show=True, size=(1600, 1000))
    dock = shown_dock(qtbot, window)
    assert dock.start("complexity", 0)
    settle(qtbot, dock)
    giveaways = [*window.race_panel.count_labels(COUNTING_COLUMNS), window.rnn_panel.counter_label,
                 window.transport.tick_label, window.status_label]
    covered = covered_labels(window)
    for label in giveaways:
        assert label in covered
    for cover in window.findChildren(LabelCover):
        assert cover.geometry() == cover.target.rect() and cover.text()
    assert any(cover.text() == HIDDEN_TEXT for cover in window.findChildren(LabelCover))
    assert dock.check_card.commit(window.timeline.trace.length)
    qtbot.waitUntil(lambda: covered_labels(window) == [])


def test_the_counts_show_again_on_next_back_leave_and_a_hidden_dock(qtbot, make_window):
    window = make_window(show=True, size=(1600, 1000))
    dock = shown_dock(qtbot, window)
    race_counts = window.race_panel.count_labels
    assert dock.start("complexity", 0)
    settle(qtbot, dock)
    assert covered_labels(window)
    assert dock.runner.next()  # no question on step 2
    settle(qtbot, dock)
    assert covered_labels(window) == []
    assert dock.runner.back()  # the question again
    settle(qtbot, dock)
    assert set(race_counts(COUNTING_COLUMNS)) <= set(covered_labels(window))
    dock.hide()  # the question out of sight: nothing stays hidden
    qtbot.waitUntil(lambda: covered_labels(window) == [])
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: bool(covered_labels(window)))
    dock.runner.leave()
    assert covered_labels(window) == []
