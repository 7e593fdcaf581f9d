"""Lesson files: strict JSON in resources/lessons/, read as untrusted input and checked against the
schema, so a broken file names itself and its step while the other lessons still load. Qt-free.

A lesson is {"id", "title", "steps": [{"text", "actions": [{"<action>": value}, ...]}, ...]}.
Actions: "preset" (a preset's name prefix), "sentence" (text to run), "tick" (an integer or
"final"), "pin" (a word's index, "last", or null to unpin), "highlight" (a panel's name, or null),
"open" ("cost-lab", "training-lab" or "deer-lab"), "check" (a prediction the learner makes before
the answer, computed from the trace on screen, is revealed: gui/lessons/checks.py), "scan" (true or
false: the scan lane on or off), "similarity" (words whose cosine table the dock shows) and
"weights" ("random", or "trained": the training lab's models on a sentence of their task, when it
has trained some; the dock says "random weights" plainly when it has not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from engine.core.errors import EngineInputError
from engine.core.tokens import tokenize
from engine.core.untrusted import decode_text, parse_json, printable, read_limited
from gui.lessons.checks import parse_check
from gui.resources import presets

MAX_LESSON_BYTES = 64_000  # a lesson is a few kilobytes of text
MAX_STEPS = 40
MAX_TEXT_CHARS = 1_200  # a step's text must fit the dock without scrolling far
MAX_TITLE_CHARS = 80
FINAL_TICK = "final"
LAST_WORD = "last"  # "pin": the sentence's last word, whatever its length
PANELS = ("sentence", "tokens", "rnn", "attention", "scan", "gradient", "race", "transport")
LABS = ("cost-lab", "training-lab", "deer-lab")
MAX_SIMILAR_WORDS = 8
ACTIONS = ("preset", "sentence", "tick", "pin", "highlight", "open", "check", "scan", "similarity",
           "weights")
WEIGHT_CHOICES = ("random", "trained")
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_LESSON_KEYS = {"id", "title", "steps"}
_STEP_KEYS = {"text", "actions"}


class LessonError(EngineInputError):
    """A lesson file that cannot be used; the message names the file and, where known, the step."""


@dataclass(frozen=True)
class Step:
    text: str
    actions: tuple[tuple[str, object], ...]  # (action, value) in the file's order

    def value(self, action: str, default=None):
        """The value this step gives `action` (the last one if given twice), else `default`."""
        found = [value for name, value in self.actions if name == action]
        return found[-1] if found else default

    def has(self, action: str) -> bool:
        return any(name == action for name, _ in self.actions)


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    steps: tuple[Step, ...]
    path: str = ""


def lesson_folder() -> Path:
    """The packaged lessons' folder."""
    return Path(str(resources.files("resources").joinpath("lessons")))


def load_lessons(folder: str | Path | None = None) -> tuple[list[Lesson], list[str]]:
    """Every *.json lesson in `folder` (the packaged ones by default), sorted by file name, and
    one message per file that could not be used. Two files with one id: the second is refused."""
    folder = Path(folder) if folder is not None else lesson_folder()
    lessons, problems, seen = [], [], set()
    try:
        paths = sorted(folder.glob("*.json"))
    except OSError as failure:
        return [], [f"cannot list the lessons in {printable(folder)}: {printable(failure)}"]
    for path in paths:
        try:
            lesson = load_lesson(path)
        except LessonError as error:
            problems.append(str(error))
            continue
        if lesson.id in seen:
            problems.append(f"lesson {printable(path.name)}: the id {lesson.id!r} is taken by "
                            "another lesson")
            continue
        seen.add(lesson.id)
        lessons.append(lesson)
    return lessons, problems


def load_lesson(path: str | Path) -> Lesson:
    """Read and check one lesson file; LessonError names the file and the step."""
    name = printable(Path(path).name)

    def error(problem: str) -> LessonError:
        return LessonError(f"lesson {name}: {problem}")

    data = read_limited(path, MAX_LESSON_BYTES, lambda problem: LessonError(f"lesson {problem}"))
    document = parse_json(decode_text(data, name, lambda p: LessonError(f"lesson {p}")), error)
    return parse_lesson(document, error, str(path))


def parse_lesson(document, error, path: str = "") -> Lesson:
    """A Lesson from parsed JSON; `error(problem)` makes the exception to raise."""
    if not isinstance(document, dict):
        raise error("the file must hold one JSON object")
    _check_keys(document, _LESSON_KEYS, "", error)
    lesson_id, title, steps = document["id"], document["title"], document["steps"]
    if not isinstance(lesson_id, str) or not _ID.fullmatch(lesson_id):
        raise error("\"id\" must be 1-40 lower-case letters, digits or hyphens")
    title = _text(title, "\"title\"", MAX_TITLE_CHARS, error)
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        raise error(f"\"steps\" must be a list of 1 to {MAX_STEPS} steps")
    parsed = tuple(_parse_step(step, number, error) for number, step in enumerate(steps, 1))
    return Lesson(lesson_id, title, parsed, path)


def _parse_step(step, number: int, error) -> Step:
    where = f"step {number}: "
    if not isinstance(step, dict):
        raise error(f"{where}must be a JSON object")
    _check_keys(step, _STEP_KEYS, where, error)
    text = _text(step["text"], f"{where}\"text\"", MAX_TEXT_CHARS, error)
    actions = step["actions"]
    if not isinstance(actions, list):
        raise error(f"{where}\"actions\" must be a list")
    parsed = tuple(_parse_action(action, where, error) for action in actions)
    _check_sentence_fits(parsed, where, error)
    return Step(text, parsed)


def _parse_action(action, where: str, error) -> tuple[str, object]:
    if not isinstance(action, dict) or len(action) != 1:
        raise error(f"{where}each action must be an object with one key, such as "
                    "{\"tick\": 3}")
    (name, value), = action.items()
    if name == "check":
        check, problem = parse_check(value)
        if problem:
            raise error(f"{where}\"check\" {problem}")
        return name, check
    checks = {"preset": _check_preset, "sentence": _check_sentence, "tick": _check_tick,
              "pin": _check_pin, "highlight": _check_highlight, "open": _check_open,
              "scan": _check_scan, "similarity": _check_similarity, "weights": _check_weights}
    if name not in checks:
        raise error(f"{where}unknown action {printable(name, 40)!r}; the actions are "
                    f"{', '.join(ACTIONS)}")
    problem = checks[name](value)
    if problem:
        raise error(f"{where}\"{name}\" {problem}")
    return name, value


def _check_preset(value) -> str | None:
    names = [preset.name for preset in presets()]
    if isinstance(value, str) and value and any(name.startswith(value) for name in names):
        return None
    return f"must name a preset (the start of one of: {'; '.join(names)})"


def _check_sentence(value) -> str | None:
    if not isinstance(value, str):
        return "must be text"
    try:
        tokenize(value)
    except EngineInputError as failure:
        return f"cannot be run: {printable(failure, 120)}"
    return None


def _check_tick(value) -> str | None:
    if value == FINAL_TICK or (type(value) is int and value >= 0):
        return None
    return f"must be a tick (a whole number from 0) or {FINAL_TICK!r}"


def _check_pin(value) -> str | None:
    return None if value is None or value == LAST_WORD or (type(value) is int and value >= 0) \
        else f"must be a word's index (a whole number from 0), {LAST_WORD!r} or null"


def _check_highlight(value) -> str | None:
    return None if value is None or value in PANELS else \
        f"must be null or one of: {', '.join(PANELS)}"


def _check_open(value) -> str | None:
    return None if value in LABS else f"must be one of: {', '.join(LABS)}"


def _check_scan(value) -> str | None:
    return None if isinstance(value, bool) else "must be true (the scan lane on) or false"


def _check_similarity(value) -> str | None:
    if (isinstance(value, list) and 2 <= len(value) <= MAX_SIMILAR_WORDS
            and all(isinstance(word, str) and 0 < len(word) <= 40 and word.strip() == word
                    for word in value)):
        return None
    return f"must be a list of 2 to {MAX_SIMILAR_WORDS} words, such as [\"cat\", \"dog\"]"


def _check_weights(value) -> str | None:
    return None if value in WEIGHT_CHOICES else f"must be one of: {', '.join(WEIGHT_CHOICES)}"


def _check_sentence_fits(actions, where: str, error) -> None:
    """A pinned index or tick beyond the step's own sentence is caught here, not on screen."""
    sentences = [value for name, value in actions if name == "sentence"]
    if not sentences:
        return
    length = len(tokenize(sentences[-1]))
    for name, value in actions:
        if name == "check" and value.word is not None and value.word >= length:
            raise error(f"{where}\"check\" asks about word {value.word}, past the sentence's "
                        f"last word (index {length - 1})")
        if name == "pin" and isinstance(value, int) and value >= length:
            raise error(f"{where}\"pin\" {value} is past the sentence's last word "
                        f"(index {length - 1})")
        if name == "tick" and value != FINAL_TICK and value > 2 * length:
            raise error(f"{where}\"tick\" {value} is past the sentence's last tick ({2 * length})")


def _check_keys(document: dict, wanted: set, where: str, error) -> None:
    missing = sorted(wanted - document.keys())
    extra = sorted(key for key in document if key not in wanted)
    if missing:
        raise error(f"{where}missing {', '.join(repr(key) for key in missing)}")
    if extra:
        raise error(f"{where}unknown key {printable(extra[0], 40)!r}")


def _text(value, what: str, limit: int, error) -> str:
    if not isinstance(value, str) or not value.strip():
        raise error(f"{what} must be non-empty text")
    if len(value) > limit:
        raise error(f"{what} is longer than {limit} characters")
    return value
