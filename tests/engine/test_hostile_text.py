"""Text that cannot be encoded (lone surrogates, undecodable file names, control characters) gives
a clear EngineInputError-family message, never a UnicodeEncodeError, wherever it enters."""

import dataclasses
import json
import os

import pytest

from engine import EngineInputError, SimConfig, simulate, tokenize
from engine.core.atomic import OutputPathError, check_folder, write_text
from engine.core.config import ConfigError
from engine.core.trace import TraceFileError, load_trace
from engine.core.untrusted import printable
from engine.labs.cost.report import ResultFileError, load_result
from gui.session import Session, SessionError, load_session, save_session

CONFIG = SimConfig(d_model=4, hidden_size=3, head_size=2, seed=1)
SURROGATE_SENTENCES = ["cat \ud800 sat", "\udcff", "a\ud83d", "\ude00b c", "x" + os.fsdecode(b"\xff")]


def assert_clean(error: Exception) -> None:
    message = str(error)
    assert message and "\n" not in message
    message.encode("utf-8")  # printable anywhere: no lone surrogate in the message itself


@pytest.fixture(scope="module")
def trace():
    return simulate("the cat sat", CONFIG)


# Lone surrogates are refused, not dropped or replaced: see engine.core.tokens.check_encodable.
@pytest.mark.parametrize("sentence", SURROGATE_SENTENCES)
def test_tokenize_refuses_lone_surrogates_with_a_clear_message(sentence):
    with pytest.raises(EngineInputError, match="lone surrogate") as raised:
        tokenize(sentence)
    assert_clean(raised.value)
    with pytest.raises(EngineInputError):
        simulate(sentence, CONFIG)


def test_a_real_surrogate_pair_in_json_is_one_character():
    sentence = json.loads('"I love \\ud83c\\udf55"')  # JSON's escaped pair is the emoji itself
    assert tokenize(sentence) == ["I", "love", "🍕"]


@pytest.mark.parametrize("sentence", SURROGATE_SENTENCES)
def test_sessions_with_surrogates_are_refused_on_save_and_load(tmp_path, sentence):
    session = Session(sentence, CONFIG, tick=0)
    with pytest.raises(SessionError, match="cannot be saved") as raised:
        session.to_json()
    assert_clean(raised.value)
    with pytest.raises(SessionError):
        save_session(tmp_path / "s.json", session)
    assert list(tmp_path.iterdir()) == []
    escaped = Session("ok", CONFIG, tick=0).to_json().replace('"ok"', json.dumps(sentence))
    with pytest.raises(SessionError, match="lone surrogate") as raised:
        Session.from_json(escaped)
    assert_clean(raised.value)


def test_config_json_is_always_ascii_and_refuses_surrogate_values():
    assert SimConfig().to_json().isascii()
    with pytest.raises(ConfigError) as raised:
        SimConfig.from_json('{"cell": "\\ud800"}')
    assert_clean(raised.value)
    with pytest.raises(ConfigError) as raised:
        SimConfig.from_dict({"\ud800": 1})
    assert_clean(raised.value)


def test_digest_and_save_take_any_sentence_and_load_refuses_surrogates(trace, tmp_path):
    odd = dataclasses.replace(trace, sentence="the \ud800 cat sat")
    assert len(odd.digest()) == 64 and odd.digest() != trace.digest()
    path = odd.save(tmp_path / "odd.npz")
    with pytest.raises(TraceFileError, match="lone surrogate") as raised:
        load_trace(path)
    assert_clean(raised.value)
    odd_tokens = dataclasses.replace(trace, tokens=("the", "\udcff", "sat"))
    with pytest.raises(TraceFileError) as raised:
        load_trace(odd_tokens.save(tmp_path / "odd_tokens.npz"))
    assert_clean(raised.value)


def test_undecodable_file_names_round_trip(trace, tmp_path):
    """os.fsdecode turns undecodable bytes into surrogates that the file system takes back."""
    name = os.fsdecode(b"caf\xe9-\xff")
    loaded = load_trace(trace.save(tmp_path / (name + ".npz")))
    assert loaded.digest() == trace.digest()
    session = Session("the cat sat", CONFIG, tick=2)
    assert load_session(save_session(tmp_path / (name + ".json"), session)) == session


@pytest.mark.parametrize("name", ["bad\ud800name", "new\nline\x1b[31m"])
def test_unencodable_or_odd_file_names_give_clean_errors(trace, tmp_path, name):
    for load, error_type in ((load_trace, TraceFileError), (load_session, SessionError),
                             (load_result, ResultFileError)):
        with pytest.raises(error_type) as raised:
            load(tmp_path / name)
        assert_clean(raised.value)
    if "\ud800" in name:
        with pytest.raises(TraceFileError, match="not valid text") as raised:
            trace.save(tmp_path / name)
        assert_clean(raised.value)
        with pytest.raises(OutputPathError) as raised:
            save_session(tmp_path / name, Session("a b", CONFIG, tick=0))
        assert_clean(raised.value)
        with pytest.raises(TraceFileError) as raised:  # a folder that cannot exist
            trace.save(tmp_path / name / "x.npz")
        assert_clean(raised.value)
        with pytest.raises(OutputPathError) as raised:
            save_session(tmp_path / name / "x.json", Session("a b", CONFIG, tick=0))
        assert_clean(raised.value)
    assert [p.name for p in tmp_path.iterdir()] == []


def test_printable_escapes_what_would_break_a_message():
    assert printable("a\ud800b\nc\x00") == "a\\ud800b\\x0ac\\x00"
    assert printable("x" * 1000, 10) == "x" * 9 + "…"
    assert printable("Ünïcode “quotes” 🍕") == "Ünïcode “quotes” 🍕"


def test_atomic_writes_refuse_unencodable_names_with_a_printable_message(tmp_path):
    bad = tmp_path / "plot\ud800.png"  # a lone surrogate (\udcXX would encode a raw byte)
    with pytest.raises(OutputPathError) as caught:
        write_text(bad, "x")
    message = str(caught.value)
    message.encode("utf-8")  # printable as it is: the surrogate is escaped
    assert "not valid text" in message and "\\ud800" in message
    with pytest.raises(OutputPathError, match="does not exist"):
        check_folder(tmp_path / "folder\ud800")
    assert list(tmp_path.iterdir()) == []
