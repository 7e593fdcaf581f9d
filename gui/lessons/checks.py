"""Prediction checks: a lesson step asks the learner to guess a quantity before it is revealed.
The file names the quantity ("argmax attention of word 2"); its answer is computed from the trace
on screen, never written in the lesson. Qt-free: parsing and answering are plain functions.

A check is the step action {"check": {"question": text, "quantity": name, "word": index}};
"word" is needed by the quantities that ask about one word and refused by the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WORD_CHOICES, MODEL_CHOICES, NUMBER_CHOICES = "word", "model", "number"
MODEL_NAMES = {"rnn": "the RNN", "attention": "attention"}
MAX_QUESTION_CHARS = 200
MAX_NUMBER = 1_000_000  # the spin box's top: far above any sentence the app runs


@dataclass(frozen=True)
class Quantity:
    """What a check may ask about: its kind of answer and whether it is about one word."""

    choices: str  # WORD_CHOICES, MODEL_CHOICES or NUMBER_CHOICES
    needs_word: bool
    describe: str  # for the schema's error messages


QUANTITIES = {
    "attention-argmax": Quantity(WORD_CHOICES, True,
                                 "the word the given word's attention weights most"),
    "rnn-sequential-steps": Quantity(NUMBER_CHOICES, False,
                                     "the RNN's sequential steps on the sentence"),
    "attention-sequential-steps": Quantity(NUMBER_CHOICES, False,
                                           "attention's sequential steps on the sentence"),
    "scan-sequential-levels": Quantity(NUMBER_CHOICES, False,
                                       "the parallel scan's sequential levels on the sentence"),
    "gradient-stronger-model": Quantity(MODEL_CHOICES, True,
                                        "the model whose last output depends more on the word"),
    "rnn-gradient-weakest-word": Quantity(WORD_CHOICES, False,
                                          "the word the RNN's last output depends on least"),
}
_CHECK_KEYS = {"question", "quantity", "word"}


@dataclass(frozen=True)
class Check:
    question: str
    quantity: str
    word: int | None = None

    @property
    def choices(self) -> str:
        return QUANTITIES[self.quantity].choices


@dataclass(frozen=True)
class Answer:
    """The revealed value (a word index, a model key or a count) and the sentence that says it."""

    value: object
    text: str


def parse_check(value) -> tuple[Check | None, str | None]:
    """(Check, None) for a valid "check" value, else (None, the problem)."""
    if not isinstance(value, dict):
        return None, "must be an object with \"question\", \"quantity\" and, for some, \"word\""
    extra = sorted(key for key in value if key not in _CHECK_KEYS)
    if extra:
        return None, f"has an unknown key {str(extra[0])[:40]!r}"
    question, quantity, word = value.get("question"), value.get("quantity"), value.get("word")
    if not isinstance(question, str) or not question.strip():
        return None, "needs a \"question\" (non-empty text)"
    if len(question) > MAX_QUESTION_CHARS:
        return None, f"\"question\" is longer than {MAX_QUESTION_CHARS} characters"
    if quantity not in QUANTITIES:
        return None, f"\"quantity\" must be one of: {', '.join(QUANTITIES)}"
    needs_word = QUANTITIES[quantity].needs_word
    if needs_word and not (type(word) is int and word >= 0):
        return None, f"\"{quantity}\" needs a \"word\" (a word's index, a whole number from 0)"
    if not needs_word and "word" in value:
        return None, f"\"{quantity}\" takes no \"word\""
    return Check(question, quantity, word if needs_word else None), None


def problem_with(check: Check, trace) -> str | None:
    """Why `check` cannot be answered on `trace` (no run yet, a word past the end), else None."""
    if trace is None:
        return "There is no run on screen to check against yet."
    if check.word is not None and check.word >= trace.length:
        return (f"This check asks about word {check.word + 1}, but the sentence on screen has "
                f"only {trace.length} words.")
    return None


def choices_for(check: Check, trace) -> list[tuple[object, str]]:
    """(value, label) for each choice a guess picks from; empty for a number (a spin box)."""
    if check.choices == WORD_CHOICES:  # a word that appears twice is told apart by its place
        tokens = trace.tokens
        repeated = {token for token in tokens if tokens.count(token) > 1}
        return [(index, f"{token} ({index + 1})" if token in repeated else token)
                for index, token in enumerate(tokens)]
    if check.choices == MODEL_CHOICES:
        return [(key, MODEL_NAMES[key].removeprefix("the ")) for key in ("rnn", "attention")]
    return []


def answer(check: Check, trace, head: int = 0) -> Answer:
    """The check's answer computed from `trace` (attention from head `head`)."""
    tokens = trace.tokens
    if check.quantity == "attention-argmax":
        head = head if 0 <= head < trace.attention.weights.shape[0] else 0
        row = trace.attention.weights[head, check.word]  # (T,)  softmax weights of the word
        best = int(np.argmax(row))
        return Answer(best, f"“{tokens[check.word]}” gives “{tokens[best]}” the largest weight, "
                            f"{row[best]:.2f} of 1 (head {head + 1}).")
    if check.quantity in ("rnn-sequential-steps", "attention-sequential-steps"):
        model = check.quantity.removesuffix("-sequential-steps")
        steps = getattr(trace, model).cost.sequential_operations
        return Answer(int(steps), f"{MODEL_NAMES[model].capitalize()} takes {steps} sequential "
                                  f"step{'s' if steps != 1 else ''} on these {len(tokens)} words.")
    if check.quantity == "scan-sequential-levels":
        T = len(tokens)
        levels = (T - 1).bit_length() if T > 1 else 0  # ceil(log2 T), as engine.core.scan_plan
        return Answer(levels, f"The scan joins {T} words in ⌈log₂ {T}⌉ = {levels} "
                              f"level{'s' if levels != 1 else ''}, where the loop takes {T} steps.")
    last = trace.length - 1
    rnn_row = trace.rnn.connectivity[last]  # (T,)  how much the last output depends on each input
    if check.quantity == "gradient-stronger-model":
        attention_row = trace.attention.connectivity[last]  # (T,)
        rnn_value, attention_value = float(rnn_row[check.word]), float(attention_row[check.word])
        stronger = "rnn" if rnn_value > attention_value else "attention"
        return Answer(stronger, f"The last output's dependence on “{tokens[check.word]}”: RNN "
                                f"{rnn_value:.2e}, attention {attention_value:.2e}; "
                                f"{MODEL_NAMES[stronger]} is stronger.")
    weakest = int(np.argmin(rnn_row))
    return Answer(weakest, f"The RNN's last output depends least on “{tokens[weakest]}” "
                           f"({float(rnn_row[weakest]):.2e}).")


def verdict(check: Check, guess, found: Answer, trace) -> str:
    """'Right.' or what the guess was, then the answer's sentence."""
    if guess == found.value:
        return f"Right. {found.text}"
    return f"Not quite: you guessed {label_of(check, guess, trace)}. {found.text}"


def label_of(check: Check, value, trace) -> str:
    if check.choices == WORD_CHOICES:
        return f"“{trace.tokens[value]}”" if 0 <= value < trace.length else f"word {value + 1}"
    if check.choices == MODEL_CHOICES:
        return MODEL_NAMES.get(value, str(value))
    return str(value)
