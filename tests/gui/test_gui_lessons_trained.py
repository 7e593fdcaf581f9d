"""Lesson steps that ask for trained weights: the training lab's last run, else the newest pair
of models it kept, read on a worker; random weights, said plainly, when nothing was trained; Back
puts the weights back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.core.glove import glove_problem
from engine.labs.training.checkpoints import save_model
from engine.labs.training.models import RecurrentModel, TransformerModel
from engine.labs.training.tasks import VOCABULARY
from gui.lessons.files import parse_lesson
from gui.lessons.trained_weights import NONE_TRAINED, kept_folder, kept_pairs, load_pair
from tests.gui.training_lab_helpers import TINY as TINY_TRAINING, wait_idle

SETTLE_TIMEOUT = 60_000
TRAINED_ON = {"task": "first-word", "n": 6, "steps": 40, "seed": 3}
OLDER, NEWER = "00000000000000a1", "00000000000000b2"  # folder names as the lab writes them


def lesson(*steps, lesson_id="trained"):
    """A lesson of `steps`, each a list of actions, checked as a lesson file is."""
    document = {"id": lesson_id, "title": "Trained",
                "steps": [{"text": f"step {number}", "actions": actions}
                          for number, actions in enumerate(steps, start=1)]}
    return parse_lesson(document, ValueError)


LESSON = lesson([{"preset": "Readable"}, {"tick": 1}],
                [{"weights": "trained"}, {"tick": "final"},
                 {"similarity": ["cat", "dog", "zzzq"]}])


def keep_pair(folder: Path, name: str, layers: int = 2, seed: int = 0) -> tuple[Path, Path]:
    """An LSTM and a Transformer (untrained: only their files matter) kept as the lab keeps them."""
    target = folder / name
    target.mkdir(parents=True)
    lstm = RecurrentModel("lstm", len(VOCABULARY), 8, 6, seed=seed)
    transformer = TransformerModel(len(VOCABULARY), 8, 1, layers, 16, seed=seed)
    return (save_model(lstm, target / "lstm.npz", TRAINED_ON),
            save_model(transformer, target / "transformer.npz", TRAINED_ON))


@pytest.fixture
def dock(qtbot, make_window):
    window = make_window(show=True, size=(1600, 1000))
    dock = window.lesson_dock
    dock.show()
    dock.lessons.append(LESSON)
    return dock


def trained_lab(qtbot, window):
    """The window's training lab after a tiny run of an Elman RNN and a 2-layer Transformer."""
    window.show_training_lab()
    lab = window.training_lab
    lab.controls.set_values(dict(TINY_TRAINING, layers=2))
    lab.start_training()
    wait_idle(qtbot, lab)
    return lab


def settle(qtbot, dock):
    qtbot.waitUntil(lambda: not dock.runner.waiting and not dock.runner.window.runner.busy,
                    timeout=SETTLE_TIMEOUT)


def test_without_trained_models_the_step_runs_random_weights_and_says_so(qtbot, dock):
    window = dock.runner.window
    assert dock.start("trained", 1)
    settle(qtbot, dock)
    assert window.weight_actions.current is None and window.weight_actions.shown is None
    note = dock.weights_note
    assert note.isVisible() and note.label.text().startswith("Weights: random, drawn from seed")
    assert note.problem.text() == NONE_TRAINED and note.lab_button.isVisible()
    assert "random, seed" in dock.similarity.text()


def test_a_kept_pair_is_read_and_shown_on_its_last_layer_and_back_restores_random(qtbot, dock):
    window = dock.runner.window
    folder = kept_folder(window.settings)
    _lstm, older = keep_pair(folder, OLDER, seed=1)
    os.utime(older.parent, (1_000_000_000, 1_000_000_000))  # newest first, by the folder's time
    lstm_path, transformer_path = keep_pair(folder, NEWER, seed=2)
    assert kept_pairs(folder)[0] == (lstm_path, transformer_path)
    assert dock.start("trained", 0)
    settle(qtbot, dock)
    assert dock.runner.next()
    assert "reading the training lab's trained models" in dock.weights_note.label.text()
    settle(qtbot, dock)
    shown = window.weight_actions.shown
    assert shown is not None and shown.layer == 2 and shown.layers == 2
    assert shown.checkpoints == {"recurrent": lstm_path.absolute(),
                                 "transformer": transformer_path.absolute()}
    trace = window.timeline.trace
    assert trace.weight_source.digest == shown.digest()
    assert trace.tokens[-1] == "first"  # a sentence of the task they were trained on
    note = dock.weights_note
    assert "an LSTM and a 2-layer Transformer" in note.label.text()
    assert "Remember the first word" in note.label.text() and "40 steps" in note.label.text()
    assert not note.problem.isVisible()
    table = dock.similarity.text()
    assert "trained Transformer" in table and "not in the trained vocabulary" in table
    assert "zzzq" in table.splitlines()[-1]
    assert dock.runner.back()
    settle(qtbot, dock)
    assert window.weight_actions.current is None and window.weight_actions.shown is None
    assert window.timeline.trace.config.d_model == 8  # the Readable preset again


def test_a_damaged_kept_pair_gives_random_weights_and_the_reason(qtbot, dock):
    window = dock.runner.window
    _lstm, transformer = keep_pair(kept_folder(window.settings), OLDER)
    transformer.write_bytes(b"not a model")
    assert dock.start("trained", 1)
    settle(qtbot, dock)
    assert window.weight_actions.shown is None
    assert "could not be read" in dock.weights_note.problem.text()


def test_the_labs_last_run_comes_first_and_leaving_keeps_it(qtbot, dock):
    window = dock.runner.window
    keep_pair(kept_folder(window.settings), OLDER)
    lab = trained_lab(qtbot, window)
    assert dock.start("trained", 1)
    settle(qtbot, dock)
    shown = window.weight_actions.shown
    rnn = lab.session.last_trainer.models["rnn"]
    assert shown is not None and shown.layer == 2
    assert window.timeline.trace.config.hidden_size == rnn.hidden_size
    assert "an Elman RNN and a 2-layer Transformer" in dock.weights_note.label.text()
    dock.runner.leave()
    assert window.weight_actions.current is shown  # leaving keeps what the lesson set up
    lab.close()


def test_a_preset_step_after_trained_weights_runs_random_ones(qtbot, dock):
    window = dock.runner.window
    keep_pair(kept_folder(window.settings), OLDER)
    dock.lessons.append(lesson([{"weights": "trained"}], [{"preset": "Readable"}],
                               lesson_id="trained-then-preset"))
    assert dock.start("trained-then-preset", 0)
    settle(qtbot, dock)
    assert window.weight_actions.shown is not None
    assert dock.runner.next()
    settle(qtbot, dock)
    assert window.weight_actions.shown is None and window.timeline.trace.config.d_model == 8
    assert dock.runner.back()
    settle(qtbot, dock)
    assert window.weight_actions.shown is not None


def test_kept_pairs_are_only_the_folders_the_lab_writes(tmp_path):
    keep_pair(tmp_path, NEWER)
    keep_pair(tmp_path, "not-a-digest")
    keep_pair(tmp_path, OLDER)
    (tmp_path / OLDER / "notes.txt").write_text("an extra file")
    linked = tmp_path / "00000000000000c3"
    linked.mkdir()
    for name in ("lstm.npz", "transformer.npz"):
        (linked / name).symlink_to(tmp_path / NEWER / name)
    (tmp_path / "00000000000000d4").symlink_to(tmp_path / NEWER, target_is_directory=True)
    assert [recurrent.parent.name for recurrent, _ in kept_pairs(tmp_path)] == [NEWER]
    assert kept_pairs(tmp_path / "missing") == []


def test_the_weights_action_is_checked():
    with pytest.raises(ValueError, match="\"weights\" must be one of: random, trained"):
        lesson([{"weights": "learned"}])


def test_pin_last_pins_the_last_word_of_whatever_sentence_runs(qtbot, dock):
    window = dock.runner.window
    dock.lessons.append(lesson([{"sentence": "one two three"}, {"pin": "last"}],
                               [{"sentence": "a b c d e f g"}, {"pin": 0}],
                               lesson_id="pin-last"))
    assert dock.start("pin-last", 0)
    settle(qtbot, dock)
    assert window.selection.pinned == 2
    assert dock.runner.next()
    settle(qtbot, dock)
    assert window.selection.pinned == 0
    assert dock.runner.back()
    settle(qtbot, dock)
    assert window.selection.pinned == 2


@pytest.mark.skipif(glove_problem() is not None, reason="the glove extra is not installed")
def test_trained_weights_replace_glove_and_back_brings_glove_back(qtbot, dock):
    """GloVe fixes D = 50 and trained models bring their own word vectors: the step's run drops
    GloVe for them, and Back restores it."""
    window = dock.runner.window
    keep_pair(kept_folder(window.settings), OLDER)
    dock.lessons.append(lesson([{"preset": "GloVe"}], [{"weights": "trained"}],
                               lesson_id="glove-then-trained"))
    assert dock.start("glove-then-trained", 0)
    settle(qtbot, dock)
    assert dock.runner.next()
    settle(qtbot, dock)
    assert window.weight_actions.shown is not None
    assert window.timeline.trace.config.word_vectors == "random"
    assert dock.runner.back()
    settle(qtbot, dock)
    assert window.timeline.trace.config.word_vectors == "glove"


def test_next_while_models_are_read_drops_them_and_applies_the_next_step(qtbot, dock):
    window = dock.runner.window
    keep_pair(kept_folder(window.settings), OLDER)
    dock.lessons.append(lesson([{"preset": "Readable"}], [{"weights": "trained"}],
                               [{"sentence": "a b c"}, {"pin": 0}], lesson_id="three"))
    assert dock.start("three", 0)
    settle(qtbot, dock)
    assert dock.runner.next() and dock.runner.loading_trained
    assert dock.runner.next() and not dock.runner.loading_trained
    settle(qtbot, dock)
    assert window.state.sentence == "a b c" and window.selection.pinned == 0
    assert window.weight_actions.current is None


def test_a_run_of_the_users_while_models_are_read_stays(qtbot, dock):
    window = dock.runner.window
    keep_pair(kept_folder(window.settings), OLDER)
    failures = []
    dock.runner.failed.connect(failures.append)
    assert dock.start("trained", 0)
    settle(qtbot, dock)
    assert dock.runner.next() and dock.runner.loading_trained
    assert window.run("my own words")
    qtbot.waitUntil(lambda: not dock.runner.loading_trained, timeout=SETTLE_TIMEOUT)
    settle(qtbot, dock)
    assert window.state.sentence == "my own words" and window.weight_actions.current is None
    assert failures and "Another run replaced" in failures[-1]


def test_the_warning_goes_once_trained_models_are_shown(qtbot, dock):
    window = dock.runner.window
    assert dock.start("trained", 1)
    settle(qtbot, dock)
    note = dock.weights_note
    assert note.problem.isVisible() and note.again_button.isVisible()
    keep_pair(kept_folder(window.settings), OLDER)  # trained since, as the note asked
    note.again_button.click()
    settle(qtbot, dock)
    assert window.weight_actions.shown is not None
    assert not note.problem.isVisible() and "an LSTM" in note.label.text()


def test_models_that_cannot_be_kept_on_disk_are_shown_from_memory(qtbot, dock, tmp_path):
    window = dock.runner.window
    keep_pair(kept_folder(window.settings), OLDER)  # older models on disk must not be preferred
    lab = trained_lab(qtbot, window)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    lab.checkpoint_folder = lambda: blocker / "trained-models"
    assert dock.start("trained", 1)
    settle(qtbot, dock)
    shown = window.weight_actions.shown
    assert shown is not None and shown.checkpoints is None
    rnn = lab.session.last_trainer.models["rnn"]
    assert window.timeline.trace.config.hidden_size == rnn.hidden_size
    assert "not kept on disk" in dock.weights_note.label.text()
    assert not dock.weights_note.problem.isVisible()
    lab.close()


@pytest.mark.skipif(glove_problem() is not None, reason="the glove extra is not installed")
def test_with_nothing_trained_a_step_after_glove_says_random_and_is_random(qtbot, dock):
    window = dock.runner.window
    dock.lessons.append(lesson([{"preset": "GloVe"}],
                               [{"weights": "trained"}, {"similarity": ["cat", "dog"]}],
                               lesson_id="glove-then-none"))
    assert dock.start("glove-then-none", 1)
    settle(qtbot, dock)
    assert window.timeline.trace.config.word_vectors == "random"
    assert "random, seed" in dock.similarity.text() and "GloVe" not in dock.similarity.text()
    assert dock.weights_note.problem.text() == NONE_TRAINED


def test_the_warning_goes_when_trained_weights_arrive_another_way(qtbot, dock):
    """Show in the simulator (or File → Open weights) after the warning: the note follows the
    screen, not the step's first look."""
    window = dock.runner.window
    assert dock.start("trained", 1)
    settle(qtbot, dock)
    assert dock.weights_note.problem.isVisible()
    models = load_pair(*keep_pair(kept_folder(window.settings), OLDER))
    with qtbot.waitSignal(window.timeline.trace_changed, timeout=SETTLE_TIMEOUT):
        window.weight_actions.set_current(models.weights)
    assert not dock.weights_note.problem.isVisible()
