"""The training lab's tasks: deterministic for a seed, real words, and targets that are what each
task's docstring says."""

import numpy as np
import pytest

from engine.labs.training.tasks import (CUES, SUBJECT_CLASSES, TASKS, TEMPLATES, VOCABULARY,
                                        WORD_CLASSES, WORD_ID, chance_accuracy)

N, B = 12, 64


def words(row) -> list[str]:
    return [VOCABULARY[i] for i in row]


@pytest.mark.parametrize("name", list(TASKS))
def test_batches_are_deterministic_shaped_and_end_with_the_cue(name):
    task = TASKS[name]
    tokens, targets = task.batch(7, "step-1", N, B)
    again, again_targets = task.batch(7, "step-1", N, B)
    other, _ = task.batch(8, "step-1", N, B)
    assert tokens.shape == (B, N + 1) and targets.shape == (B,)
    assert tokens.dtype == np.int64 and targets.dtype == np.int64
    assert np.array_equal(tokens, again) and np.array_equal(targets, again_targets)
    assert not np.array_equal(tokens, other)
    assert tokens.min() >= 0 and tokens.max() < len(VOCABULARY)
    if name in CUES:
        assert set(tokens[:, -1]) == {WORD_ID[CUES[name]]}
    assert task.description and task.title


def test_first_word_and_previous_word_targets():
    tokens, targets = TASKS["first-word"].batch(0, "x", N, B)
    assert np.array_equal(targets, tokens[:, 0])
    tokens, targets = TASKS["previous-word"].batch(0, "x", N, B)
    assert np.array_equal(targets, tokens[:, -2])


@pytest.mark.parametrize("n", [2, 7, 12, 128])
def test_recall_asks_for_the_value_its_query_key_was_paired_with(n):
    tokens, targets = TASKS["recall"].batch(3, "x", n, B)
    for row, target in zip(tokens, targets):
        pairs = row[n % 2:-1].reshape(-1, 2)  # (pairs, 2): key, value
        mapping = {}
        for key, value in pairs:
            assert mapping.setdefault(key, value) == value  # a repeated key keeps its value
        assert mapping[row[-1]] == target


def test_parity_targets_count_the_ones():
    tokens, targets = TASKS["parity"].batch(0, "x", N, B)
    ones = (tokens[:, :-1] == WORD_ID["1"]).sum(axis=1)
    assert set(words(targets)) <= {"even", "odd"}
    assert [VOCABULARY[t] for t in targets] == ["odd" if k % 2 else "even" for k in ones]


def test_word_classes_ask_for_the_class_of_the_second_word():
    tokens, targets = TASKS["word-classes"].batch(0, "x", N, B)
    class_of = {word: name for name, members in WORD_CLASSES.items() for word in members}
    for row, target in zip(tokens, targets):
        assert class_of[VOCABULARY[row[1]]] == VOCABULARY[target]
    assert {VOCABULARY[t] for t in targets} == set(SUBJECT_CLASSES)  # every class is asked for


def test_the_cat_sat_on_the_mat_is_a_sentence_of_the_grammar():
    template = TEMPLATES[0].split()
    sentence = "the cat sat on the mat".split()
    assert len(template) == len(sentence)
    for slot, word in zip(template, sentence):
        assert word in WORD_CLASSES[slot[1:-1]] if slot.startswith("{") else word == slot
    assert {"cat", "dog"} <= set(WORD_CLASSES["animal"])


def test_only_the_subject_tells_the_class():
    """Every other position's words are drawn alike for every class: no shortcut."""
    tokens, targets = TASKS["word-classes"].batch(0, "x", 8, 3000)
    for position in (0, 2, 3, 4, 5):
        for target in set(targets):
            seen = set(tokens[targets == target, position])
            others = set(tokens[targets != target, position])
            assert seen == others or len(seen) > 5, (position, VOCABULARY[target])
    assert set(tokens[:, 0]) == {WORD_ID["the"]} and set(tokens[:, 4]) == {WORD_ID["the"]}


def test_an_example_renders_as_words():
    example, target = TASKS["first-word"].example(seed=0, n=5)
    assert len(example) == 6 and example[-1] == "first" and target == example[0]
    assert all(word in WORD_ID for word in example)


@pytest.mark.parametrize("name", list(TASKS))
def test_chance_accuracy_is_a_share(name):
    assert 0 < chance_accuracy(name) <= 0.5
