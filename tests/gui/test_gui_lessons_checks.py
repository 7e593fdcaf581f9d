"""Prediction checks: the schema refuses bad checks by name, answers are computed from the trace
(never stored in the lesson), and in the dock a guess reveals the answer and Back/Next ask again."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gui.lessons.checks import Check, answer, choices_for, parse_check, problem_with, verdict
from gui.lessons.files import load_lessons

SETTLE_TIMEOUT = 60_000  # ms: a lesson's preset may run D = 512 on a busy machine


def write_lesson(folder, steps, name="a.json"):
    document = {"id": name.removesuffix(".json"), "title": "A lesson", "steps": steps}
    (folder / name).write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.parametrize("check, expected", [
    ("sat", "must be an object"),
    ({"quantity": "rnn-sequential-steps"}, "needs a \"question\""),
    ({"question": "?", "quantity": "mood"}, "\"quantity\" must be one of"),
    ({"question": "?", "quantity": "attention-argmax"}, "needs a \"word\""),
    ({"question": "?", "quantity": "attention-argmax", "word": -1}, "needs a \"word\""),
    ({"question": "?", "quantity": "attention-argmax", "word": "sat"}, "needs a \"word\""),
    ({"question": "?", "quantity": "rnn-sequential-steps", "word": 1}, "takes no \"word\""),
    ({"question": "?", "quantity": "rnn-sequential-steps", "answer": 5}, "unknown key 'answer'"),
    ({"question": "x" * 201, "quantity": "rnn-sequential-steps"}, "longer than 200"),
])
def test_a_broken_check_is_named_with_its_step(tmp_path, check, expected):
    write_lesson(tmp_path, [{"text": "x", "actions": [{"check": check}]}])
    lessons, problems = load_lessons(tmp_path)
    assert lessons == [] and len(problems) == 1
    assert "step 1: \"check\"" in problems[0] and expected in problems[0]


def test_a_check_past_the_steps_sentence_is_refused(tmp_path):
    check = {"question": "?", "quantity": "attention-argmax", "word": 3}
    write_lesson(tmp_path, [{"text": "x", "actions": [{"sentence": "a b c"}, {"check": check}]}])
    _lessons, problems = load_lessons(tmp_path)
    assert "asks about word 3, past the sentence's last word" in problems[0]


def test_at_least_three_packaged_lessons_ask_for_predictions():
    lessons, problems = load_lessons()
    assert problems == []
    asked = {lesson.id: [value.quantity for step in lesson.steps
                         for name, value in step.actions if name == "check"]
             for lesson in lessons}
    assert "attention-argmax" in asked["attention-qkv"]
    assert "rnn-sequential-steps" in asked["complexity"]
    assert "gradient-stronger-model" in asked["gradient-flow"]


def test_answers_are_computed_from_the_trace(trace5, trace4_two_heads):
    check, _ = parse_check({"question": "?", "quantity": "attention-argmax", "word": 2})
    assert answer(check, trace5).value == int(np.argmax(trace5.attention.weights[0, 2]))
    second_head = trace4_two_heads.attention.weights[1, 2]
    assert answer(check, trace4_two_heads, head=1).value == int(np.argmax(second_head))
    steps = Check("?", "rnn-sequential-steps")
    assert answer(steps, trace5).value == 5 and "5 sequential steps" in answer(steps, trace5).text
    assert answer(Check("?", "attention-sequential-steps"), trace5).value == 1
    weakest = answer(Check("?", "rnn-gradient-weakest-word"), trace5)
    assert weakest.value == int(np.argmin(trace5.rnn.connectivity[4]))
    stronger = answer(Check("?", "gradient-stronger-model", 0), trace5).value
    rnn, attention = trace5.rnn.connectivity[4, 0], trace5.attention.connectivity[4, 0]
    assert stronger == ("rnn" if rnn > attention else "attention")


def test_choices_and_verdicts(trace5):
    check = Check("?", "attention-argmax", 2)
    assert choices_for(check, trace5) == list(enumerate(trace5.tokens))
    assert [value for value, _ in choices_for(Check("?", "gradient-stronger-model", 0),
                                              trace5)] == ["rnn", "attention"]
    assert choices_for(Check("?", "rnn-sequential-steps"), trace5) == []
    found = answer(check, trace5)
    assert verdict(check, found.value, found, trace5).startswith("Right.")
    wrong = (found.value + 1) % 5
    assert f"you guessed “{trace5.tokens[wrong]}”" in verdict(check, wrong, found, trace5)
    assert "only 5 words" in problem_with(Check("?", "attention-argmax", 7), trace5)
    assert "no run" in problem_with(check, None)


# -- in the dock -------------------------------------------------------------------------------
@pytest.fixture
def dock(qtbot, make_window):
    window = make_window(show=True, size=(1600, 1000))
    dock = window.lesson_dock
    dock.show()
    dock.raise_()
    return dock


def settle(qtbot, dock):
    qtbot.waitUntil(lambda: not dock.runner.waiting, timeout=SETTLE_TIMEOUT)


def test_a_word_guess_reveals_the_argmax_of_the_trace_on_screen(qtbot, dock):
    window, card = dock.runner.window, dock.check_card
    dock.start("attention-qkv", 2)
    assert card.isVisible() and not card.choice_buttons  # the choices wait for the run
    settle(qtbot, dock)
    trace = window.timeline.trace
    assert [button.text() for button in card.choice_buttons] == list(trace.tokens)
    best = int(np.argmax(trace.attention.weights[window.attention_panel.head, 2]))
    wrong = (best + 1) % trace.length
    card.choice_buttons[wrong].click()
    assert card.answered and "Not quite" in card.result.text()
    assert f"“{trace.tokens[best]}”" in card.result.text()
    assert not any(button.isEnabled() for button in card.choice_buttons)
    assert card.choice_buttons[best].text() == f"✓ {trace.tokens[best]}"
    assert card.choice_buttons[wrong].isChecked()
    dock.runner.next()  # the last step asks nothing
    assert card.isHidden()
    dock.runner.back()  # the check step again: asked afresh
    settle(qtbot, dock)
    assert card.isVisible() and not card.answered and card.result.text() == ""
    with qtbot.waitSignal(card.revealed) as revealed:
        card.choice_buttons[best].click()
    assert revealed.args == [True] and card.result.text().startswith("Right.")


def test_a_count_guess_uses_the_spin_box(qtbot, dock):
    card = dock.check_card
    dock.start("complexity")
    settle(qtbot, dock)
    assert card.number_row.isVisible() and not card.choice_buttons
    card.number_box.setValue(1)
    card.commit_button.click()
    length = dock.runner.window.timeline.length
    assert "Not quite: you guessed 1" in card.result.text()
    assert f"takes {length} sequential steps" in card.result.text()
    assert not card.commit_button.isEnabled()


def test_a_model_guess_compares_the_gradients(qtbot, dock):
    card = dock.check_card
    dock.start("gradient-flow")
    settle(qtbot, dock)
    trace = dock.runner.window.timeline.trace
    last = trace.length - 1
    stronger = ("rnn" if trace.rnn.connectivity[last, 0] > trace.attention.connectivity[last, 0]
                else "attention")
    assert [button.text() for button in card.choice_buttons] == ["RNN", "attention"]
    card.choice_buttons[0 if stronger == "rnn" else 1].click()
    assert card.result.text().startswith("Right.")


def test_a_word_that_appears_twice_is_told_apart_by_its_place():
    from engine import SimConfig, simulate
    from gui.lessons.checks import Check, choices_for

    trace = simulate("the cat saw the dog", SimConfig(d_model=4, hidden_size=4, head_size=2))
    check = Check("Which word?", "rnn-gradient-weakest-word")
    assert [label for _, label in choices_for(check, trace)] == ["the (1)", "cat", "saw",
                                                                  "the (4)", "dog"]
