"""The shared TokenSelection: hover beats pin, clicks toggle the pin, changed only on change."""

from gui.selection import NONE, TokenSelection


def test_nothing_selected_is_minus_one(qtbot):
    selection = TokenSelection()
    assert NONE == -1
    assert (selection.current, selection.pinned) == (-1, -1)


def test_hover_overrides_pin(qtbot):
    selection = TokenSelection()
    selection.set_pinned(2)
    assert selection.current == 2
    with qtbot.waitSignal(selection.changed) as blocker:
        selection.set_hovered(4)
    assert blocker.args == [4]
    assert (selection.current, selection.pinned) == (4, 2)
    with qtbot.waitSignal(selection.changed) as blocker:
        selection.set_hovered(None)
    assert blocker.args == [2]
    assert selection.current == 2


def test_toggle_pinned_pins_and_unpins(qtbot):
    selection = TokenSelection()
    with qtbot.waitSignal(selection.changed) as blocker:
        selection.toggle_pinned(3)
    assert (blocker.args, selection.pinned, selection.current) == ([3], 3, 3)
    with qtbot.waitSignal(selection.changed) as blocker:
        selection.toggle_pinned(1)  # another token moves the pin
    assert (blocker.args, selection.pinned) == ([1], 1)
    with qtbot.waitSignal(selection.changed) as blocker:
        selection.toggle_pinned(1)  # the pinned token again unpins it
    assert (blocker.args, selection.pinned, selection.current) == ([-1], -1, -1)


def test_changed_only_when_current_changes(qtbot):
    selection = TokenSelection()
    seen = []
    selection.changed.connect(seen.append)
    selection.set_hovered(1)
    selection.set_hovered(1)
    with qtbot.assertNotEmitted(selection.changed):
        selection.set_pinned(3)  # hidden behind the hover: current stays 1
        selection.set_hovered(1)
    selection.set_hovered(None)  # current falls back to the pin
    with qtbot.assertNotEmitted(selection.changed):
        selection.set_hovered(3)  # hovering the pinned token changes nothing visible
        selection.set_hovered(None)
        selection.set_pinned(3)
    selection.clear()
    with qtbot.assertNotEmitted(selection.changed):
        selection.clear()
        selection.set_hovered(None)
    assert seen == [1, 3, -1]
    assert (selection.current, selection.pinned) == (-1, -1)
