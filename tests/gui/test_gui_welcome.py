"""The welcome card: offered on the first launch only, never modal, and both its buttons work."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from gui.welcome import SHOWN_SETTING, WelcomeCard, offer_welcome

SETTLE_TIMEOUT = 60_000  # ms


def test_the_first_launch_shows_the_card_and_the_second_does_not(qtbot, make_window,
                                                                   settings_path):
    first = make_window(show=True, size=(1280, 800))
    card = offer_welcome(first)
    assert card is not None and card.isVisible()
    assert QApplication.activeModalWidget() is None  # nothing waits on it
    assert first.views.rect().contains(card.geometry())
    first.settings.sync()
    second = make_window(show=True, path=settings_path)
    assert offer_welcome(second) is None
    assert second.findChildren(WelcomeCard) == []


def test_a_window_shows_no_card_unless_asked(make_window):
    window = make_window(show=True)
    assert window.findChildren(WelcomeCard) == []
    assert not window.settings.contains(SHOWN_SETTING)


def test_take_the_tour_opens_the_first_lesson(qtbot, make_window):
    window = make_window(show=True, size=(1600, 1000))
    card = offer_welcome(window)
    card.tour_button.click()
    assert card.isHidden()
    dock = window.lesson_dock
    assert dock.isVisible() and dock.runner.lesson.id == dock.lessons[0].id
    qtbot.waitUntil(lambda: not dock.runner.waiting, timeout=SETTLE_TIMEOUT)
    assert dock.counter.text().startswith("step 1 of")


def test_skip_closes_the_card_and_opens_nothing(qtbot, make_window):
    window = make_window(show=True)
    card = offer_welcome(window)
    card.skip_button.click()
    assert card.isHidden()
    assert not window.lesson_dock.isVisible() and window.lesson_dock.runner.lesson is None
    assert window.settings.value(SHOWN_SETTING) == "true"


def test_the_card_keeps_its_corner_when_the_window_resizes(qtbot, make_window):
    window = make_window(show=True, size=(1600, 1000))
    card = offer_welcome(window)
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: card.geometry().right() < window.views.width()
                    and window.views.width() - card.geometry().right() <= 20)
