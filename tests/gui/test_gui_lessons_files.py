"""Lesson files: every packaged lesson passes the schema; broken files name the file and the step
while the others still load."""

from __future__ import annotations

import json

import pytest

from gui.lessons.files import (MAX_LESSON_BYTES, PANELS, LessonError, lesson_folder, load_lesson,
                               load_lessons)
from gui.lessons.dock import remembered_step


def write_lesson(folder, name, steps, lesson_id=None, title="A lesson"):
    document = {"id": lesson_id or name.removesuffix(".json"), "title": title, "steps": steps}
    (folder / name).write_text(json.dumps(document), encoding="utf-8")


GOOD_STEP = {"text": "Look here.", "actions": [{"preset": "Readable"}, {"tick": 1},
                                                {"highlight": "rnn"}]}


def test_every_packaged_lesson_loads():
    lessons, problems = load_lessons()
    assert problems == []
    assert len(lessons) >= 10
    assert len({lesson.id for lesson in lessons}) == len(lessons)
    for lesson in lessons:
        for step in lesson.steps:
            assert step.text.strip()
            assert all(value in PANELS or value is None
                       for name, value in step.actions if name == "highlight")


def test_the_first_five_topics_come_first():
    ids = [lesson.id for lesson in load_lessons()[0]][:5]
    assert ids == ["one-word", "rnn-loop", "lossy-memory", "transformer-all-at-once",
                   "attention-qkv"]


@pytest.mark.parametrize("step, expected", [
    ({"text": "x", "actions": [{"dance": 1}]}, "step 2: unknown action 'dance'"),
    ({"text": "x", "actions": [{"tick": -1}]}, "step 2: \"tick\" must be a tick"),
    ({"text": "x", "actions": [{"tick": "last"}]}, "step 2: \"tick\" must be a tick"),
    ({"text": "x", "actions": [{"tick": 1.5}]}, "step 2: \"tick\" must be a tick"),
    ({"text": "x", "actions": [{"tick": True}]}, "step 2: \"tick\" must be a tick"),
    ({"text": "x", "actions": [{"highlight": "kitchen"}]}, "step 2: \"highlight\" must be null"),
    ({"text": "x", "actions": [{"preset": "Gigantic"}]}, "step 2: \"preset\" must name a preset"),
    ({"text": "x", "actions": [{"open": "fridge"}]}, "step 2: \"open\" must be one of"),
    ({"text": "x", "actions": [{"pin": "cat"}]}, "step 2: \"pin\" must be a word's index"),
    ({"text": "x", "actions": [{"tick": 1, "pin": 2}]}, "step 2: each action must be an object"),
    ({"text": "x", "actions": [{"sentence": "a b"}, {"pin": 5}]}, "step 2: \"pin\" 5 is past"),
    ({"text": "x", "actions": [{"sentence": "a b"}, {"tick": 9}]}, "step 2: \"tick\" 9 is past"),
    ({"text": "", "actions": []}, "step 2: \"text\" must be non-empty"),
    ({"text": "x"}, "step 2: missing 'actions'"),
    ({"text": "x", "actions": [], "code": "import os"}, "step 2: unknown key 'code'"),
    ("just text", "step 2: must be a JSON object"),
])
def test_a_broken_step_is_named_and_the_other_lessons_load(tmp_path, step, expected):
    write_lesson(tmp_path, "a-good.json", [GOOD_STEP])
    write_lesson(tmp_path, "b-broken.json", [GOOD_STEP, step])
    lessons, problems = load_lessons(tmp_path)
    assert [lesson.id for lesson in lessons] == ["a-good"]
    assert len(problems) == 1
    assert problems[0].startswith("lesson b-broken.json: ")
    assert expected in problems[0]


@pytest.mark.parametrize("content, expected", [
    (b"{\"id\": \"x\", ", "is not valid JSON"),
    (b"\x00\xff\xfe binary \x89PNG", "is not UTF-8 text"),
    (b"[1, 2]", "must hold one JSON object"),
    (b"{\"id\": \"x\", \"title\": \"t\", \"steps\": [], \"n\": NaN}", "is not valid JSON"),
    (b"{\"id\": \"Bad Id\", \"title\": \"t\", \"steps\": [{\"text\": \"x\", \"actions\": []}]}",
     "\"id\" must be"),
    (b"{\"id\": \"x\", \"title\": \"t\", \"steps\": []}", "\"steps\" must be a list of 1"),
    (b"[" * 30_000, "nested too deeply"),
])
def test_a_broken_file_is_named(tmp_path, content, expected):
    (tmp_path / "bad.json").write_bytes(content)
    write_lesson(tmp_path, "good.json", [GOOD_STEP])
    lessons, problems = load_lessons(tmp_path)
    assert [lesson.id for lesson in lessons] == ["good"]
    assert len(problems) == 1 and "bad.json" in problems[0] and expected in problems[0]


def test_a_huge_file_is_refused_unread(tmp_path):
    (tmp_path / "huge.json").write_bytes(b" " * (MAX_LESSON_BYTES + 1))
    with pytest.raises(LessonError, match="huge.json is too large"):
        load_lesson(tmp_path / "huge.json")


def test_a_folder_named_like_a_lesson_is_refused(tmp_path):
    (tmp_path / "folder.json").mkdir()
    write_lesson(tmp_path, "good.json", [GOOD_STEP])
    lessons, problems = load_lessons(tmp_path)
    assert len(lessons) == 1 and "folder.json" in problems[0] and "folder" in problems[0]


def test_a_taken_id_is_refused(tmp_path):
    write_lesson(tmp_path, "a.json", [GOOD_STEP], lesson_id="same")
    write_lesson(tmp_path, "b.json", [GOOD_STEP], lesson_id="same")
    lessons, problems = load_lessons(tmp_path)
    assert len(lessons) == 1 and "b.json" in problems[0] and "taken" in problems[0]


def test_a_missing_folder_gives_no_lessons_and_no_crash(tmp_path):
    assert load_lessons(tmp_path / "nowhere") == ([], [])


def test_the_packaged_folder_is_the_resources_one():
    assert lesson_folder().name == "lessons" and lesson_folder().parent.name == "resources"


@pytest.mark.parametrize("value, expected", [
    ("one-word 2", ("one-word", 2)), (None, (None, 0)), (3, (None, 0)), ("x", (None, 0)),
    ("x -1", (None, 0)), ("x 99999999999", (None, 0)), ("a b c", (None, 0)),
])
def test_the_remembered_step_is_read_defensively(value, expected):
    assert remembered_step(value) == expected


def test_the_guide_names_the_lesson_shortcuts():
    from gui.help_texts import GUIDE
    from gui.lessons.dock import LEAVE_KEY, OPEN_KEY

    assert "Help → Lessons" in GUIDE
    assert OPEN_KEY in GUIDE and LEAVE_KEY in GUIDE
    assert "Alt+→" in GUIDE and "Alt+←" in GUIDE
