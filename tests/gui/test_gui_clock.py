"""The pure clock functions of engine.core.clock on a few (tick, T) values, including the phase edges."""

import pytest

from engine.core import clock


@pytest.mark.parametrize("length, expected", [(0, 1), (1, 3), (5, 11), (1024, 2049)])
def test_tick_count_is_2t_plus_1(length, expected):
    assert clock.tick_count(length) == expected


# tick, T, phase, rows revealed, rnn words reached, attention words reached, current word
CASES = [
    (0, 5, "start", 0, 0, 0, None),
    (1, 5, "forward", 1, 0, 0, 0),
    (3, 5, "forward", 3, 0, 0, 2),
    (5, 5, "forward", 5, 0, 0, 4),
    (6, 5, "backward", 5, 1, 5, 4),
    (8, 5, "backward", 5, 3, 5, 2),
    (10, 5, "backward", 5, 5, 5, 0),
    (1, 1, "forward", 1, 0, 0, 0),
    (2, 1, "backward", 1, 1, 1, 0),
    (-3, 4, "start", 0, 0, 0, None),
    (99, 4, "backward", 4, 4, 4, 0),
]


@pytest.mark.parametrize("tick, length, phase, rows, rnn_words, attention_words, word", CASES)
def test_clock_values(tick, length, phase, rows, rnn_words, attention_words, word):
    assert clock.phase(tick, length) == phase
    assert clock.rnn_rows_revealed(tick, length) == rows
    assert clock.rnn_words_reached(tick, length) == rnn_words
    assert clock.attention_words_reached(tick, length) == attention_words
    assert clock.current_word(tick, length) == word
    assert clock.attention_done(tick) is (tick >= 1)


@pytest.mark.parametrize("tick, length, text", [
    (0, 5, "tick 0 of 10, start"),
    (3, 5, "tick 3 of 10, forward phase"),
    (5, 5, "tick 5 of 10, forward phase"),
    (6, 5, "tick 6 of 10, backward phase"),
    (10, 5, "tick 10 of 10, backward phase"),
    (0, 0, "tick 0 of 0, start"),
    (2, 1, "tick 2 of 2, backward phase"),
])
def test_describe(tick, length, text):
    assert clock.describe(tick, length) == text


def test_backward_phase_walks_from_the_last_word_to_the_first():
    T = 4
    words = [clock.current_word(tick, T) for tick in range(T + 1, 2 * T + 1)]
    assert words == [3, 2, 1, 0]
    reached = [clock.rnn_words_reached(tick, T) for tick in range(0, 2 * T + 1)]
    assert reached == [0, 0, 0, 0, 0, 1, 2, 3, 4]


def test_gradients_exist_only_in_the_backward_phase():
    """Backprop through time computes column j of the RNN's map at backward step j, from the last
    word back; attention's whole map comes from its one backward pass at tick T+1."""
    T = 4
    columns = [list(clock.rnn_gradient_columns(tick, T)) for tick in range(0, 2 * T + 1)]
    assert columns == [[], [], [], [], [], [3], [2, 3], [1, 2, 3], [0, 1, 2, 3]]
    shown = [clock.attention_gradient_shown(tick, T) for tick in range(0, 2 * T + 1)]
    assert shown == [False] * (T + 1) + [True] * T
    assert clock.attention_gradient_shown(1, 0) is False  # an empty sentence shows nothing


# The clock's closed forms before schedules: the generic functions must reproduce them exactly.
def _old_rnn_rows(tick, length):
    return max(0, min(tick, length))


def _old_rnn_words(tick, length):
    return max(0, min(tick - length, length))


def _old_attention_words(tick, length):
    return length if tick > length else 0


@pytest.mark.parametrize("length", range(1, 13))
def test_schedules_reproduce_the_rnn_and_attention_clock(length):
    loop, one_shot = clock.RevealSchedule.loop(length), clock.RevealSchedule.one_shot(length)
    for tick in range(-2, 2 * length + 3):
        rows, rnn_words = _old_rnn_rows(tick, length), _old_rnn_words(tick, length)
        attention_words = _old_attention_words(tick, length)
        assert clock.forward_steps_revealed(tick, loop) == rows == clock.rnn_rows_revealed(tick, length)
        assert clock.words_reached(tick, loop) == rnn_words == clock.rnn_words_reached(tick, length)
        assert clock.backward_steps_revealed(tick, loop) == rnn_words
        assert clock.forward_done(tick, loop) is (tick >= length)
        assert clock.forward_done(tick, one_shot) is (tick >= 1) is clock.attention_done(tick)
        assert clock.forward_steps_revealed(tick, one_shot) == (1 if tick >= 1 else 0)
        assert clock.words_reached(tick, one_shot) == attention_words \
            == clock.attention_words_reached(tick, length)
        assert clock.backward_steps_revealed(tick, one_shot) == (1 if tick > length else 0)


def test_a_scan_runs_its_levels_on_the_first_ticks_of_each_phase():
    """Fewer steps than words: level i at tick i going forward, at tick T+i going back."""
    T = 5
    scan = clock.RevealSchedule.log_scan(T)  # 3 levels; the gradient reaches 2, 4, then 5 words
    ticks = range(0, 2 * T + 1)
    assert [clock.forward_steps_revealed(tick, scan) for tick in ticks] == [0, 1, 2, 3] + [3] * 7
    assert [clock.forward_done(tick, scan) for tick in ticks] == [False] * 3 + [True] * 8
    assert [clock.backward_steps_revealed(tick, scan) for tick in ticks] == [0] * 6 + [1, 2, 3, 3, 3]
    assert [clock.words_reached(tick, scan) for tick in ticks] == [0] * 6 + [2, 4, 5, 5, 5]
