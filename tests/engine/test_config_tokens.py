"""SimConfig validation and JSON round trip; the tokenizer's splits and limits; per-word embeddings."""

import dataclasses
import math
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import MAX_TOKENS, ConfigError, EngineInputError, SimConfig, simulate, tokenize
from engine.core.config import MAX_SENTENCE_CHARS
from engine.core.tokens import embed_tokens

INVALID = [
    ("d_model", 0), ("d_model", 1), ("d_model", 2049), ("d_model", 8.0), ("d_model", "8"),
    ("d_model", True), ("hidden_size", 1), ("hidden_size", 2049), ("hidden_size", False),
    ("heads", 0), ("heads", 17), ("heads", True), ("head_size", 0), ("head_size", 513),
    ("seed", -1), ("seed", 2**32), ("seed", 1.5),
    ("cell", "transformer"), ("cell", "RNN"), ("cell", None),
    ("activation", "gelu"), ("activation", ""), ("positional", "learned"),
    ("causal", 1), ("causal", "yes"), ("scaling", 0), ("scaling", None),
    ("recurrent_scale", math.nan), ("recurrent_scale", math.inf), ("recurrent_scale", -0.1),
    ("recurrent_scale", 10.5), ("recurrent_scale", True), ("recurrent_scale", "1"),
]


@pytest.mark.parametrize("field,value", INVALID, ids=[f"{f}={v!r}" for f, v in INVALID])
def test_invalid_values_raise_config_error(field, value):
    with pytest.raises(ConfigError) as info:
        SimConfig(**{field: value})
    assert field in str(info.value)
    assert isinstance(info.value, EngineInputError)


def test_odd_d_model_with_sinusoidal_positions_is_rejected():
    with pytest.raises(ConfigError, match="d_model"):
        SimConfig(d_model=7, positional="sinusoidal")
    assert SimConfig(d_model=7).d_model == 7
    assert SimConfig(d_model=8, positional="sinusoidal").positional == "sinusoidal"


VALID = [
    ("d_model", 2), ("d_model", 2048), ("hidden_size", 2), ("hidden_size", 2048),
    ("heads", 1), ("heads", 16), ("head_size", 1), ("head_size", 512),
    ("seed", 0), ("seed", 2**32 - 1), ("recurrent_scale", 0.0), ("recurrent_scale", 10.0),
    ("cell", "lstm"), ("cell", "gru"), ("activation", "sigmoid"), ("activation", "identity"),
    ("activation", "relu"), ("causal", True), ("scaling", False),
]


@pytest.mark.parametrize("field,value", VALID, ids=[f"{f}={v!r}" for f, v in VALID])
def test_boundary_values_are_accepted(field, value):
    assert getattr(SimConfig(**{field: value}), field) == value


def test_defaults_and_integer_scale_become_float():
    config = SimConfig()
    assert (config.d_model, config.hidden_size, config.head_size) == (512, 512, 64)
    scaled = SimConfig(recurrent_scale=2)
    assert scaled.recurrent_scale == 2.0 and isinstance(scaled.recurrent_scale, float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.d_model = 4
    with pytest.raises(ConfigError):
        config.replace(heads=0)
    assert config.replace(heads=4).heads == 4 and config.heads == 1


configs = st.builds(
    SimConfig, d_model=st.integers(2, 2048).map(lambda d: d - d % 2), hidden_size=st.integers(2, 2048),
    cell=st.sampled_from(["rnn", "lstm", "gru"]),
    activation=st.sampled_from(["tanh", "sigmoid", "relu", "identity"]),
    recurrent_scale=st.floats(0.0, 10.0), heads=st.integers(1, 16), head_size=st.integers(1, 512),
    causal=st.booleans(), scaling=st.booleans(), positional=st.sampled_from(["none", "sinusoidal"]),
    seed=st.integers(0, 2**32 - 1))


@settings(max_examples=50, deadline=None)
@given(config=configs)
def test_json_round_trip(config):
    text = config.to_json()
    again = SimConfig.from_json(text)
    assert again == config
    assert again.to_json() == text
    assert SimConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '"d_model"', '{"d_model": 4, "colour": "red"}',
                                  '{"heads": 99}'])
def test_from_json_rejects_bad_text(text):
    with pytest.raises(ConfigError):
        SimConfig.from_json(text)


# ---- tokenizer ----

@pytest.mark.parametrize("sentence,tokens", [
    ("The cat sat, on mat.", ["The", "cat", "sat", ",", "on", "mat", "."]),
    ("Hello!!", ["Hello", "!", "!"]),
    ("don't stop", ["don't", "stop"]),
    ("  spaced\tout\n words  ", ["spaced", "out", "words"]),
    ("x=3.5", ["x", "=", "3", ".", "5"]),
    ("I love 🍕!", ["I", "love", "🍕", "!"]),
    ("Кошка сидит.", ["Кошка", "сидит", "."]),
    ("مرحبا بالعالم", ["مرحبا", "بالعالم"]),
    ("我爱你。", ["我爱你", "。"]),
    ("Ἀθῆναι καλαί", ["Ἀθῆναι", "καλαί"]),
])
def test_tokenize_splits_words_and_punctuation(sentence, tokens):
    assert tokenize(sentence) == tokens


@pytest.mark.parametrize("sentence,tokens", [
    ("नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),  # Devanagari: vowel signs and virama are marks
    ("cafe\u0301 noir", ["cafe\u0301", "noir"]),  # decomposed é: a letter plus a combining accent
])
def test_tokenize_keeps_combining_marks_inside_words(sentence, tokens):
    assert tokenize(sentence) == tokens


@pytest.mark.parametrize("sentence,tokens", [
    ("I 👍🏽 it", ["I", "👍🏽", "it"]),  # skin-tone modifier
    ("the 👨\u200d👩\u200d👧 came", ["the", "👨\u200d👩\u200d👧", "came"]),  # zero-width joiner family
])
def test_tokenize_keeps_emoji_sequences_whole(sentence, tokens):
    assert tokenize(sentence) == tokens


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=200).filter(lambda s: s.split()))
def test_tokens_cover_every_visible_character_in_order(sentence):
    # Control and format characters are dropped, except the joiners that build emoji sequences.
    def dropped(ch):
        return (unicodedata.category(ch) in ("Cc", "Cf") and ch != "\u200d"
                and not 0xE0020 <= ord(ch) <= 0xE007F)
    visible = "".join(ch for ch in sentence if not dropped(ch))
    if not visible.split():
        with pytest.raises(EngineInputError):
            tokenize(sentence)
        return
    tokens = tokenize(sentence)
    assert all(token and not any(ch.isspace() for ch in token) for token in tokens)
    assert "".join(tokens) == "".join(visible.split())


@settings(max_examples=30, deadline=None)
@given(st.lists(st.from_regex(r"[A-Za-z]{1,10}", fullmatch=True), min_size=1, max_size=30))
def test_space_separated_words_come_back_unchanged(words):
    assert tokenize(" ".join(words)) == words


@pytest.mark.parametrize("sentence", ["", "   ", "\n\t \u3000"])
def test_empty_sentences_are_rejected(sentence):
    with pytest.raises(EngineInputError):
        tokenize(sentence)
    with pytest.raises(EngineInputError):
        simulate(sentence, SimConfig(d_model=4, hidden_size=4, head_size=2))


def test_token_and_character_limits():
    assert len(tokenize(" ".join(["a"] * MAX_TOKENS))) == MAX_TOKENS
    with pytest.raises(EngineInputError, match="token"):
        tokenize(" ".join(["a"] * (MAX_TOKENS + 1)))
    assert tokenize("b" * MAX_SENTENCE_CHARS) == ["b" * MAX_SENTENCE_CHARS]
    with pytest.raises(EngineInputError, match="character"):
        tokenize("b" * (MAX_SENTENCE_CHARS + 1))
    with pytest.raises(EngineInputError):
        tokenize(None)  # type: ignore[arg-type]


# ---- embeddings ----

def test_same_word_any_case_gets_the_same_vector():
    tokens = ["The", "cat", "saw", "the", "CAT", "Straße", "STRASSE"]
    vectors = embed_tokens(tokens, 16, seed=3)
    assert vectors.shape == (7, 16) and vectors.dtype == np.float64
    assert np.array_equal(vectors[0], vectors[3])
    assert np.array_equal(vectors[1], vectors[4])
    assert np.array_equal(vectors[5], vectors[6])  # casefold: ß -> ss
    distinct = vectors[[0, 1, 2, 5]]
    for i in range(4):
        for j in range(i + 1, 4):
            assert not np.allclose(distinct[i], distinct[j])


def test_word_vectors_do_not_depend_on_context_but_do_on_seed():
    a = embed_tokens(["river", "bank"], 32, seed=1)
    b = embed_tokens(["money", "in", "the", "bank"], 32, seed=1)
    assert np.array_equal(a[1], b[3])
    c = embed_tokens(["river", "bank"], 32, seed=2)
    assert not np.allclose(a, c)
    assert np.array_equal(a, embed_tokens(["river", "bank"], 32, seed=1))


def test_word_vectors_are_standard_normal():
    vectors = embed_tokens([f"w{i}" for i in range(64)], 256, seed=0)
    assert abs(vectors.mean()) < 0.05
    assert 0.9 < vectors.var() < 1.1


def test_trace_embeddings_use_the_tokenizer_and_embedding():
    config = SimConfig(d_model=8, hidden_size=4, head_size=2, seed=11)
    trace = simulate("The dog, the DOG.", config)
    assert trace.tokens == ("The", "dog", ",", "the", "DOG", ".")
    np.testing.assert_array_equal(trace.embeddings, embed_tokens(list(trace.tokens), 8, 11))
    np.testing.assert_array_equal(trace.embeddings[0], trace.embeddings[3])
    np.testing.assert_array_equal(trace.embeddings[1], trace.embeddings[4])
