"""The export actions in the window: right-click menus on plots, file dialogs, failures shown in a
dialog, and the batch export of every plot and panel."""

import xml.etree.ElementTree as ET

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QSettings
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMenu, QMessageBox

import gui.export.controller
from gui.export import targets
from gui.export.dialogs import AnimationOptionsDialog, ImageOptionsDialog

TINY = dict(d_model=4, hidden_size=4, head_size=2)  # as in conftest.py: runs in milliseconds


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory, trace5):
    from gui.main_window import MainWindow

    path = tmp_path_factory.mktemp("controller-settings") / "s.ini"
    window = MainWindow(overrides=dict(TINY), settings=QSettings(str(path), QSettings.Format.IniFormat))
    window.show()
    window.timeline.set_trace(trace5, 10)
    qapp.processEvents()
    yield window
    window.close()
    window.deleteLater()
    qapp.processEvents()


@pytest.fixture
def menus(monkeypatch):
    """The controller's QMenu records (menu, position) instead of blocking in exec(). PySide6
    ignores a patched QMenu.exec, so the controller gets a subclass that overrides it."""
    shown = []

    class RecordingMenu(QMenu):
        def exec(self, *args):
            shown.append((self, args))

    monkeypatch.setattr(gui.export.controller, "QMenu", RecordingMenu)
    return shown


@pytest.fixture
def messages(monkeypatch):
    calls = []
    for kind in ("warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, lambda parent, title, text, *rest, kind=kind:
                            calls.append((kind, title, text)))
    return calls


@pytest.fixture
def save_as(monkeypatch):
    """Make QFileDialog.getSaveFileName answer with the path in `answer[0]`."""
    answer = [None]
    asked = []

    def fake(parent, title, suggestion, filters):
        asked.append((title, suggestion, filters))
        return (str(answer[0]), filters) if answer[0] else ("", "")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake)
    return answer, asked


def action_texts(menu: QMenu) -> list[str]:
    return [action.text() for action in menu.actions() if not action.isSeparator()]


def action(menu: QMenu, text: str):
    return next(a for a in menu.actions() if a.text() == text)


def test_right_click_on_a_plot_emits_the_export_request(qtbot, window, menus):
    plot = window.attention_panel.views["weights"]
    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(5, 6), QPoint(105, 206))
    with qtbot.waitSignal(plot.export_menu_requested, timeout=1000) as request:
        QApplication.sendEvent(plot, event)
    assert request.args == [QPoint(105, 206)]
    assert event.isAccepted()


@pytest.mark.parametrize("name", ["attention-weights", "rnn-hidden", "gradient-curves", "rnn-reach"])
def test_context_menu_sets_current_and_offers_the_plot_exports(window, menus, name):
    window.exports.current = "window"
    plot = targets.plots(window)[name]
    plot.contextMenuEvent(QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(3, 3),
                                            QPoint(40, 50)))
    assert window.exports.current == name
    [(menu, args)] = menus
    assert args == (QPoint(40, 50),)
    label = targets.describe(name)
    expected = [f"Export {label} as PNG…", f"Export {label} as SVG…"]
    if name in targets.heatmaps(window):
        expected.append(f"Export {label} data as CSV…")
    expected += [f"Export animation of {label}…", "Export image of anything…"]
    assert action_texts(menu) == expected


def test_mouse_right_click_on_the_viewport_reaches_the_controller(window, menus):
    plot = window.gradient_panel.rnn_map
    window.exports.current = "window"
    QApplication.sendEvent(plot.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse,
                                                              QPoint(20, 20), QPoint(70, 80)))
    assert window.exports.current == "gradient-rnn-connectivity"
    assert len(menus) == 1


def test_menu_actions_write_png_svg_and_csv(window, menus, save_as, messages, tmp_path):
    answer, asked = save_as
    plot = window.rnn_panel.hidden_view
    plot.contextMenuEvent(QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(1, 1), QPoint(1, 1)))
    menu = menus[-1][0]
    answer[0] = tmp_path / "hidden.png"
    action(menu, "Export Rnn hidden as PNG…").trigger()
    answer[0] = tmp_path / "hidden"  # no suffix: the format's is added
    action(menu, "Export Rnn hidden as SVG…").trigger()
    answer[0] = tmp_path / "hidden.csv"
    action(menu, "Export Rnn hidden data as CSV…").trigger()
    assert messages == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hidden.csv", "hidden.png", "hidden.svg"]
    with Image.open(tmp_path / "hidden.png") as image:  # default scale 2
        assert image.size == (2 * plot.width(), 2 * plot.height())
    ET.parse(tmp_path / "hidden.svg")
    assert (tmp_path / "hidden.csv").read_text(encoding="utf-8").splitlines()[1].startswith("The,")
    assert [title for title, _, _ in asked] == ["Export Rnn hidden", "Export Rnn hidden",
                                                "Export Rnn hidden as CSV"]
    assert asked[0][1].endswith("rnn-hidden.png") and asked[2][2] == "CSV table (*.csv)"
    assert window.settings.value("export/folder") == str(tmp_path)
    assert "Exported" in window.statusBar().currentMessage()


def test_cancelled_file_dialog_writes_nothing(window, save_as, messages, tmp_path):
    window.exports.export_image_of("attention-weights", "png")
    window.exports.export_csv("attention-weights")
    window.exports.export_trace()
    assert messages == []
    assert list(tmp_path.iterdir()) == []


def test_unwritable_destination_shows_a_warning_and_writes_nothing(window, save_as, messages,
                                                                   tmp_path):
    answer, _ = save_as
    answer[0] = tmp_path / "missing" / "w.svg"
    window.exports.export_image_of("attention-weights", "svg")
    answer[0] = tmp_path / "missing" / "t.npz"
    window.exports.export_trace()
    assert [(kind, title) for kind, title, _ in messages] == [("warning", "Export failed")] * 2
    assert all("does not exist" in text and "Nothing was written" in text for _, _, text in messages)
    assert list(tmp_path.iterdir()) == []


def test_csv_of_a_plot_without_a_matrix_falls_back_to_the_attention_weights(window, save_as, tmp_path):
    answer, asked = save_as
    answer[0] = tmp_path / "m.csv"
    window.exports.export_csv("gradient-curves")
    assert asked[0][0] == "Export Attention weights as CSV"
    header = (tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",")[1:] == ["The", "cat", "sat", "on", "mat"]


def test_trace_export_round_trips(window, trace5, save_as, tmp_path):
    from engine import load_trace

    answer, _ = save_as
    answer[0] = tmp_path / "trace"
    window.exports.export_trace()
    assert load_trace(tmp_path / "trace.npz").digest() == trace5.digest()


def test_export_image_of_everything_into_a_folder(window, monkeypatch, messages, tmp_path):
    def accept(dialog):
        dialog.target.setCurrentIndex(dialog.target.findData("*"))
        dialog.format.setCurrentIndex(dialog.format.findData("svg"))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImageOptionsDialog, "exec", accept)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(tmp_path))
    window.exports.export_image()
    assert messages == []
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"{name}.svg" for name in targets.all_targets(window))
    assert "17 files" in window.statusBar().currentMessage()


def test_image_dialog_offers_every_target_and_png_sizes(window):
    dialog = ImageOptionsDialog(list(targets.all_targets(window)), "rnn-hidden", window)
    assert dialog.target.currentData() == "rnn-hidden"
    assert dialog.target.count() == 1 + len(targets.all_targets(window))
    assert dialog.choice() == {"target": "rnn-hidden", "format": "png", "width": None, "scale": 2.0}
    dialog.by_width.setChecked(True)
    dialog.width.setValue(1234)
    assert dialog.choice()["width"] == 1234 and dialog.choice()["scale"] is None
    dialog.format.setCurrentIndex(dialog.format.findData("svg"))
    assert not dialog.width.isEnabled() and not dialog.scale.isEnabled()
    dialog.deleteLater()


def test_animation_from_the_menu_writes_a_gif(qtbot, window, monkeypatch, save_as, messages, tmp_path):
    answer, asked = save_as
    answer[0] = tmp_path / "anim.gif"

    def accept(dialog):
        assert dialog.target.currentData() == "attention-weights"  # preselected from the menu
        dialog.width.setValue(200)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(AnimationOptionsDialog, "exec", accept)
    window.timeline.set_tick(7)
    window.exports.export_animation("attention-weights")
    assert asked[0][1].endswith("attention-weights-animation.gif")
    qtbot.waitUntil(lambda: window.exports._animation is None, timeout=20_000)
    assert messages == []
    with Image.open(tmp_path / "anim.gif") as image:
        assert image.size[0] == 200
    assert window.timeline.tick == 7
    assert "Exported" in window.statusBar().currentMessage()


def test_nothing_to_export_without_a_trace(make_window, messages, save_as):
    empty = make_window()
    empty.exports.export_image()
    empty.exports.export_trace()
    empty.exports.export_csv("attention-weights")
    empty.exports.export_animation()
    assert [(kind, title) for kind, title, _ in messages] == [("information", "Nothing to export yet")] * 4
    assert save_as[1] == []  # no file dialog was opened
