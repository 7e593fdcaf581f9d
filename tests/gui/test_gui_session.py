"""Session files (Qt-free): JSON round trip, saving atomically, and every way a file can be bad."""

import json

import pytest

from engine import SimConfig
from engine.core.atomic import OutputPathError
from gui.session import (FORMAT_NAME, FORMAT_VERSION, MAX_SESSION_BYTES, Session, SessionError,
                         load_session, save_session)

CONFIG = SimConfig(d_model=6, hidden_size=8, head_size=3, heads=2, cell="gru", recurrent_scale=0.75,
                   causal=True, scaling=False, positional="sinusoidal", seed=1234)
SESSION = Session(sentence="Ünïcode “quotes”, and commas", config=CONFIG, tick=7, selected_token=2,
                  trace_digest="ab" * 32)


def session_dict() -> dict:
    return json.loads(SESSION.to_json())


def write_json(path, data) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


def test_to_json_is_versioned_and_readable():
    data = session_dict()
    assert data["format"] == FORMAT_NAME == "rnn-vs-transformer session"
    assert data["version"] == FORMAT_VERSION == 1
    assert data["sentence"] == SESSION.sentence
    assert data["config"] == CONFIG.to_dict()
    assert (data["tick"], data["selected_token"], data["trace_digest"]) == (7, 2, "ab" * 32)
    assert "Ünïcode “quotes”" in SESSION.to_json()  # kept readable, not \\u-escaped


def test_json_round_trip_is_exact():
    assert Session.from_json(SESSION.to_json()) == SESSION
    plain = Session("a b", SimConfig(), tick=0)
    assert Session.from_json(plain.to_json()) == plain
    assert plain.selected_token == -1 and plain.trace_digest == ""


def test_save_and_load_round_trip(tmp_path):
    path = save_session(tmp_path / "s.json", SESSION)
    assert path == tmp_path / "s.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]
    assert path.read_text(encoding="utf-8").endswith("}\n")
    assert load_session(path) == SESSION
    assert load_session(str(path)) == SESSION


def test_older_files_without_optional_entries_load(tmp_path):
    data = session_dict()
    del data["selected_token"], data["trace_digest"]
    write_json(tmp_path / "old.json", data)
    loaded = load_session(tmp_path / "old.json")
    assert (loaded.selected_token, loaded.trace_digest) == (-1, "")
    assert loaded.config == CONFIG


def test_out_of_range_view_values_are_clamped():
    data = session_dict()
    data["tick"], data["selected_token"] = -5, -9
    loaded = Session.from_json(json.dumps(data))
    assert (loaded.tick, loaded.selected_token) == (0, -1)


def test_save_into_a_missing_folder_raises_and_writes_nothing(tmp_path):
    with pytest.raises(OutputPathError, match="does not exist"):
        save_session(tmp_path / "missing" / "s.json", SESSION)
    assert list(tmp_path.iterdir()) == []


def test_save_replaces_an_existing_session(tmp_path):
    path = save_session(tmp_path / "s.json", SESSION)
    later = Session("other words", CONFIG, tick=1)
    save_session(path, later)
    assert load_session(path) == later
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


BAD_FILES = {
    "not JSON": ("{this is not json", "is not valid JSON"),
    "empty file": ("", "is not valid JSON"),
    "JSON list": ("[1, 2, 3]", "is not a session saved by this app"),
    "other JSON object": ('{"name": "a shopping list"}', "is not a session saved by this app"),
    "other format name": (json.dumps({**session_dict(), "format": "someone else"}),
                          "is not a session saved by this app"),
    "future version": (json.dumps({**session_dict(), "version": 99}),
                       r"saved by a newer version \(session format 99; this app reads up to 1\)"),
    "version zero": (json.dumps({**session_dict(), "version": 0}), "no valid format version"),
    "version as text": (json.dumps({**session_dict(), "version": "1"}), "no valid format version"),
    "no version": (json.dumps({k: v for k, v in session_dict().items() if k != "version"}),
                   "no valid format version"),
    "no sentence": (json.dumps({k: v for k, v in session_dict().items() if k != "sentence"}),
                    "lacks the entry 'sentence'"),
    "no config": (json.dumps({k: v for k, v in session_dict().items() if k != "config"}),
                  "lacks the entry 'config'"),
    "tick as text": (json.dumps({**session_dict(), "tick": "7"}), "entry of the wrong type"),
    "tick as float": (json.dumps({**session_dict(), "tick": 7.5}), "entry of the wrong type"),
    "tick as bool": (json.dumps({**session_dict(), "tick": True}), "entry of the wrong type"),
    "sentence as number": (json.dumps({**session_dict(), "sentence": 42}), "entry of the wrong type"),
    "selection as text": (json.dumps({**session_dict(), "selected_token": "2"}), "entry of the wrong type"),
    "digest as number": (json.dumps({**session_dict(), "trace_digest": 5}), "entry of the wrong type"),
    "d_model out of range": (json.dumps({**session_dict(), "config": {**CONFIG.to_dict(), "d_model": 0}}),
                             "invalid parameter: d_model must be between 2 and 2048, got 0"),
    "unknown cell": (json.dumps({**session_dict(), "config": {**CONFIG.to_dict(), "cell": "xlstm"}}),
                     "invalid parameter: cell must be one of rnn, lstm, gru"),
    "width as text": (json.dumps({**session_dict(), "config": {**CONFIG.to_dict(), "hidden_size": "8"}}),
                      "invalid parameter: hidden_size must be a whole number"),
    "unknown parameter": (json.dumps({**session_dict(), "config": {**CONFIG.to_dict(), "dropout": 0.1}}),
                          "invalid parameter: dropout is not a configuration key"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_session_files_raise_session_error_naming_the_file(tmp_path, case):
    text, message = BAD_FILES[case]
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SessionError, match=message) as raised:
        load_session(path)
    assert str(path) in str(raised.value)
    assert "\n" not in str(raised.value)  # one line, for a dialog or the command line


@pytest.mark.parametrize("config", ["abc", None])
def test_config_that_is_not_an_object_gets_a_clear_message(config):
    data = {**session_dict(), "config": config}
    with pytest.raises(SessionError) as raised:
        Session.from_json(json.dumps(data))
    message = str(raised.value)
    assert "config" in message
    for confusing in ("iterable", "sequence item", "'a' is not", "a is not a configuration key"):
        assert confusing not in message, message


def test_missing_file_folder_binary_and_huge_files(tmp_path):
    with pytest.raises(SessionError, match="no such file"):
        load_session(tmp_path / "nowhere.json")
    with pytest.raises(SessionError, match="cannot read"):
        load_session(tmp_path)  # a folder
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage\x80")
    with pytest.raises(SessionError, match="cannot read"):
        load_session(binary)
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (MAX_SESSION_BYTES + 1))
    with pytest.raises(SessionError, match="too large"):
        load_session(huge)


def test_session_error_is_an_engine_input_error():
    from engine.core.errors import EngineInputError

    assert issubclass(SessionError, EngineInputError)
