"""Session files (Qt-free): JSON round trip, saving atomically, and every way a file can be bad."""

import json

import pytest

from engine import SimConfig
from engine.core.atomic import OutputPathError
from gui.session import (FILE_WEIGHTS_VERSION, FORMAT_NAME, FORMAT_VERSION, MAX_SESSION_BYTES,
                         RANDOM_WEIGHTS_VERSION,
                         Session, SessionError, load_session, save_session)

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
    assert data["version"] == RANDOM_WEIGHTS_VERSION == 1  # older apps open it exactly
    assert FORMAT_VERSION == 3
    assert data["weights"] == {"source": "random"}
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
                       r"saved by a newer version \(session format 99; this app reads up to 3\)"),
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
    "weights as text": (json.dumps({**session_dict(), "weights": "random"}),
                        "'weights' must say whether they are random, from a file or from "
                        "checkpoints"),
    "unknown weight source": (json.dumps({**session_dict(), "weights": {"source": "trained"}}),
                              "'weights' must say whether they are random, from a file or from "
                              "checkpoints"),
    "weight file without path": (json.dumps({**session_dict(), "weights": {
        "source": "file", "sha256": "ab" * 32}}), "weight file has no usable path"),
    "weight file path as list": (json.dumps({**session_dict(), "weights": {
        "source": "file", "path": ["w.npz"], "sha256": "ab" * 32}}), "weight file has no usable path"),
    "weight digest too short": (json.dumps({**session_dict(), "weights": {
        "source": "file", "path": "w.npz", "sha256": "abc"}}), "weight digest that is not 64"),
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


# ---- weights: random from the seed, or a weight file the session finds again -----------------------

def _weight_file(folder, config=CONFIG, scale=0.5):
    from engine.models.weights import WeightSet

    seeded = WeightSet.random(config)
    trained = WeightSet({**seeded.arrays(), "w_hh": scale * seeded["w_hh"]}, "trained")
    return WeightSet.load(trained.save(folder / "trained.npz"))


def test_sessions_saved_before_weight_files_mean_random_weights(tmp_path):
    data = session_dict()
    del data["weights"]
    write_json(tmp_path / "old.json", data)
    loaded = load_session(tmp_path / "old.json")
    assert (loaded.weights_file, loaded.weights_digest, loaded.weights) == ("", "", None)
    assert loaded == SESSION


def test_a_session_on_a_weight_file_round_trips_and_reruns_exactly(tmp_path):
    from engine import simulate

    weights = _weight_file(tmp_path)
    trace = simulate(SESSION.sentence, CONFIG, weights=weights)
    session = Session(SESSION.sentence, CONFIG, tick=3, trace_digest=trace.digest()) \
        .with_weights(weights)
    path = save_session(tmp_path / "s.json", session)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == FILE_WEIGHTS_VERSION == 2  # older apps refuse it, not run random weights
    assert data["weights"] == {"source": "file", "path": str(tmp_path / "trained.npz"),
                               "sha256": weights.digest()}
    loaded = load_session(path)
    assert loaded == session
    assert loaded.weights is not None and loaded.weights.digest() == weights.digest()
    assert simulate(loaded.sentence, loaded.config, weights=loaded.weights).digest() \
        == trace.digest()


def test_a_weight_file_named_relative_to_the_session_is_found_beside_it(tmp_path):
    weights = _weight_file(tmp_path)
    session = Session("a b", CONFIG, tick=0, weights_file="trained.npz",
                      weights_digest=weights.digest())
    (tmp_path / "elsewhere").mkdir()
    path = save_session(tmp_path / "s.json", session)
    assert load_session(path).weights.digest() == weights.digest()


def test_a_missing_weight_file_is_a_clear_error_not_random_weights(tmp_path):
    weights = _weight_file(tmp_path)
    path = save_session(tmp_path / "s.json", Session("a b", CONFIG, tick=0).with_weights(weights))
    (tmp_path / "trained.npz").unlink()
    with pytest.raises(SessionError) as raised:
        load_session(path)
    message = str(raised.value)
    assert message.startswith(str(path))
    assert f"weight file {tmp_path / 'trained.npz'}, which is missing" in message
    assert weights.digest()[:12] in message and "\n" not in message


def test_a_folder_in_the_weight_files_place_is_named_for_what_it_is(tmp_path):
    weights = _weight_file(tmp_path)
    path = save_session(tmp_path / "s.json", Session("a b", CONFIG, tick=0).with_weights(weights))
    (tmp_path / "trained.npz").unlink()
    (tmp_path / "trained.npz").mkdir()
    with pytest.raises(SessionError) as raised:
        load_session(path)
    message = str(raised.value)
    assert "cannot be used" in message and "missing" not in message


def test_a_changed_weight_file_is_a_clear_error(tmp_path):
    weights = _weight_file(tmp_path)
    path = save_session(tmp_path / "s.json", Session("a b", CONFIG, tick=0).with_weights(weights))
    other = _weight_file(tmp_path, scale=0.25)  # overwrites trained.npz
    with pytest.raises(SessionError, match="which has changed since the session was saved") \
            as raised:
        load_session(path)
    assert other.digest()[:12] in str(raised.value) and weights.digest()[:12] in str(raised.value)


def test_a_damaged_or_unfitting_weight_file_is_a_session_error(tmp_path):
    weights = _weight_file(tmp_path)
    session = Session("a b", CONFIG, tick=0).with_weights(weights)
    path = save_session(tmp_path / "s.json", session)
    (tmp_path / "trained.npz").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(SessionError, match="runs on a weight file that cannot be used"):
        load_session(path)
    wider = save_session(tmp_path / "wider.json", Session(
        "a b", CONFIG.replace(hidden_size=9), tick=0, weights_file=str(_weight_file(tmp_path).path),
        weights_digest=weights.digest()))
    with pytest.raises(SessionError, match="cannot be used: weight w_ih has shape"):
        load_session(wider)


def test_only_random_or_file_weights_can_be_saved_in_a_session(tmp_path):
    from engine.models.weights import WeightSet

    session = Session("a b", CONFIG, tick=0)
    assert session.with_weights(WeightSet.random(CONFIG)) == session  # the seed's: random
    assert session.with_weights(None).weights_file == ""
    unsaved = WeightSet({**WeightSet.random(CONFIG).arrays(),
                         "b_ih": WeightSet.random(CONFIG)["b_ih"] + 1.0}, "trained")
    with pytest.raises(SessionError, match="save them to one first"):
        session.with_weights(unsaved)
