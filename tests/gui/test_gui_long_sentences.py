"""Long sentences on screen: the word-by-word maps and the hidden state name every word up to 40
words, the panels scroll rather than squeeze them, and nothing is drawn over a caption."""

import pytest
from PySide6.QtCore import QRect

from engine import SimConfig, simulate
from gui.views.panels.token_axis import MAX_NAMED_ON_SCREEN, pixels_to_name_on_screen
from window_helpers import shown_window

TINY = SimConfig(d_model=4, hidden_size=4, head_size=2)
FORTY = " ".join(f"w{i}" for i in range(40))


@pytest.fixture(scope="module")
def trace40():
    return simulate(FORTY, TINY)


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory, trace40):
    yield from shown_window(qapp, tmp_path_factory.mktemp("long-settings") / "s.ini", trace40)


def lay_out(qtbot, window):
    """Let the maps ask for their room and the scrolling panels give it (a few layout passes)."""
    scroll = window.panel_scroll
    qtbot.waitUntil(lambda: scroll.widget().height() >= scroll.widget().minimumSizeHint().height())
    qtbot.waitUntil(lambda: window.rnn_panel.hidden_view.axis_words("left") == FORTY.split())


def named_axes(window) -> dict[str, list[str]]:
    attention, gradient = window.attention_panel.views, window.gradient_panel
    return {
        "hidden state rows": window.rnn_panel.hidden_view.axis_words("left"),
        "scores rows": attention["scores"].axis_words("left"),
        "scores columns": attention["scores"].axis_words("bottom"),
        "weights columns": attention["weights"].axis_words("bottom"),
        "RNN connectivity rows": gradient.rnn_map.axis_words("left"),
        "RNN connectivity columns": gradient.rnn_map.axis_words("bottom"),
        "attention connectivity rows": gradient.attention_map.axis_words("left"),
        "attention connectivity columns": gradient.attention_map.axis_words("bottom"),
    }


def test_forty_words_are_all_named_in_a_1600_by_1000_window(qtbot, window):
    lay_out(qtbot, window)
    words = FORTY.split()
    for where, shown in named_axes(window).items():
        assert shown == words, f"{where} shows {len(shown)} names"


def test_panels_get_the_room_they_ask_for_and_no_map_covers_a_caption(qtbot, window):
    lay_out(qtbot, window)
    for panel in (window.rnn_panel, window.attention_panel, window.gradient_panel):
        assert panel.height() >= panel.minimumSizeHint().height()
        caption = panel.caption_label
        assert caption.height() >= caption.heightForWidth(caption.width())
        caption_rect = QRect(caption.mapTo(panel, caption.rect().topLeft()), caption.size())
        for plot in panel.plots().values():
            plot_rect = QRect(plot.mapTo(panel, plot.rect().topLeft()), plot.size())
            assert not plot_rect.intersects(caption_rect), plot.title_text()


def test_maps_ask_for_no_more_room_beyond_forty_words(qtbot, window):
    view = window.rnn_panel.hidden_view
    assert view.wanted_area()[1] == pixels_to_name_on_screen(40)
    trace80 = simulate(" ".join(f"w{i}" for i in range(80)), TINY)
    window.timeline.set_trace(trace80, trace80.length * 2)
    try:
        assert view.wanted_area()[1] == pixels_to_name_on_screen(MAX_NAMED_ON_SCREEN)
        qtbot.waitUntil(lambda: view.getAxis("left").plan is not None
                        and view.getAxis("left").plan.step > 1)  # thinned beyond 40
    finally:
        window.timeline.set_trace(simulate(FORTY, TINY), 80)


def test_a_short_sentence_gives_the_room_back(qtbot, window, trace5):
    lay_out(qtbot, window)
    view = window.rnn_panel.hidden_view
    tall = view.minimumHeight()
    window.timeline.set_trace(trace5, trace5.length * 2)
    try:
        qtbot.waitUntil(lambda: view.minimumHeight() < tall / 2)
        qtbot.waitUntil(lambda: window.panel_scroll.verticalScrollBar().maximum() == 0)
    finally:
        window.timeline.set_trace(simulate(FORTY, TINY), 80)


def test_five_words_need_no_scrolling_at_1024_by_700(qtbot, make_window, trace5):
    small = make_window(show=True, size=(1024, 700))
    small.timeline.set_trace(trace5, trace5.length * 2)
    scroll = small.panel_scroll
    qtbot.waitUntil(lambda: small.rnn_panel.hidden_view.minimumHeight() > 0)
    qtbot.waitUntil(lambda: scroll.widget().width() <= scroll.viewport().width())
    assert scroll.horizontalScrollBar().maximum() == 0
