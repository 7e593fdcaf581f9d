"""GloVe word vectors from the installed extra: real neighbours ("cat" near "dog"), a marked and
deterministic fallback for other words, and clear messages when the package is missing or damaged."""

import importlib
import sys
import types

import numpy as np
import pytest

from engine.core import glove
from engine.core.glove import GLOVE_WIDTH, GloveUnavailable, glove_problem, glove_table

installed = glove_problem() is None
needs_glove = pytest.mark.skipif(not installed, reason="the glove extra is not installed")


def cosine(a, b):
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


@pytest.fixture
def fresh_table():
    """Forget the cached table before and after a test that fakes the package."""
    glove.glove_table.cache_clear()
    yield
    glove.glove_table.cache_clear()


@needs_glove
def test_trained_vectors_put_cat_near_dog_and_far_from_sat():
    table = glove_table()
    assert len(table.rows) == glove.GLOVE_WORDS
    cat, dog, sat = (table.vector(word) for word in ("cat", "Dog", "sat"))  # case-insensitive
    assert cat.shape == (GLOVE_WIDTH,)
    assert cosine(cat, dog) > 0.85  # 0.92 in GloVe 6B 50-d
    assert cosine(cat, sat) < 0.5


@needs_glove
def test_words_outside_the_vocabulary_get_a_marked_deterministic_fallback():
    table = glove_table()
    tokens = ["The", "cat", "zqxvbnmw", "sat", "."]
    looked = table.lookup(tokens, seed=3)
    np.testing.assert_array_equal(looked.known, [True, True, False, True, True])
    np.testing.assert_array_equal(looked.vectors[1], table.vector("cat"))
    assert np.linalg.norm(looked.vectors[2]) == pytest.approx(table.typical_norm)
    np.testing.assert_array_equal(table.lookup(tokens, seed=3).vectors, looked.vectors)
    assert not np.array_equal(table.lookup(tokens, seed=4).vectors[2], looked.vectors[2])
    np.testing.assert_array_equal(table.lookup(tokens, seed=4).vectors[1], looked.vectors[1])


def test_a_missing_package_says_how_to_install_it(monkeypatch, fresh_table):
    real = importlib.import_module

    def no_glove(name, *args):
        if name == glove.PACKAGE:
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(glove.importlib, "import_module", no_glove)
    with pytest.raises(GloveUnavailable, match=r"not installed: .*pip install '\.\[glove\]'"):
        glove_table()
    assert "pip install" in glove_problem()


def _fake_package(monkeypatch, folder):
    module = types.ModuleType(glove.PACKAGE)
    module.ROOT = str(folder)
    monkeypatch.setitem(sys.modules, glove.PACKAGE, module)


@pytest.mark.parametrize("content, message", [
    (None, "cannot read GloVe's vectors"),
    (np.zeros((4, 7), dtype=np.float32), r"float32 \(4, 7\)"),
    (np.array(["a", "b"]), "not \\(words, 50\\) floats"),
])
def test_damaged_vectors_are_refused_clearly(monkeypatch, tmp_path, fresh_table, content, message):
    if content is not None:
        np.save(tmp_path / glove.VECTORS_FILE, content)
    _fake_package(monkeypatch, tmp_path)
    with pytest.raises(GloveUnavailable, match=message):
        glove_table()


def test_pickled_vectors_are_never_unpickled(monkeypatch, tmp_path, fresh_table):
    np.save(tmp_path / glove.VECTORS_FILE, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    _fake_package(monkeypatch, tmp_path)
    with pytest.raises(GloveUnavailable, match="cannot read GloVe's vectors"):
        glove_table()


def test_a_vocabulary_that_does_not_match_the_vectors_is_refused(monkeypatch, tmp_path, fresh_table):
    parquet = pytest.importorskip("pyarrow.parquet")
    import pyarrow

    np.save(tmp_path / glove.VECTORS_FILE, np.zeros((3, GLOVE_WIDTH), dtype=np.float32))
    parquet.write_table(pyarrow.table({"index": ["the", "cat"]}), tmp_path / glove.VOCABULARY_FILE)
    _fake_package(monkeypatch, tmp_path)
    with pytest.raises(GloveUnavailable, match="2 words but 3 vectors"):
        glove_table()
    (tmp_path / glove.VOCABULARY_FILE).write_bytes(b"not a parquet file")
    glove.glove_table.cache_clear()
    with pytest.raises(GloveUnavailable, match="cannot read GloVe's vocabulary"):
        glove_table()


GLOVE_CONFIG = dict(d_model=50, hidden_size=6, head_size=4, word_vectors="glove")


def test_glove_needs_fifty_dimensions():
    from engine import SimConfig
    from engine.core.errors import ConfigError

    with pytest.raises(ConfigError, match="must be 50 for GloVe"):
        SimConfig(word_vectors="glove")
    assert "word_vectors" not in SimConfig().to_dict()  # earlier configs keep their text


@needs_glove
def test_a_glove_run_uses_the_pretrained_rows_and_marks_the_stand_ins(tmp_path):
    from engine import SimConfig, load_trace, simulate
    from engine.analysis.report import comparison, format_report

    trace = simulate("The cat met a zqxvbnmw dog", SimConfig(**GLOVE_CONFIG))
    np.testing.assert_array_equal(trace.known_words, [True, True, True, True, False, True])
    np.testing.assert_array_equal(trace.embeddings[1], glove_table().vector("cat"))
    assert cosine(trace.embeddings[1], trace.embeddings[5]) > 0.85
    loaded = load_trace(trace.save(tmp_path / "glove.npz"))
    assert loaded.digest() == trace.digest()
    np.testing.assert_array_equal(loaded.known_words, trace.known_words)
    assert comparison(trace)["words_not_in_glove"] == ["zqxvbnmw"]
    assert "not in GloVe (seeded stand-ins): zqxvbnmw" in format_report(trace)


def test_a_run_without_glove_installed_names_the_field_and_the_fix(monkeypatch, fresh_table):
    from engine import SimConfig, simulate
    from engine.core.errors import ConfigError

    monkeypatch.setitem(sys.modules, glove.PACKAGE, None)  # import then fails
    with pytest.raises(ConfigError, match="not installed") as raised:
        simulate("the cat", SimConfig(**GLOVE_CONFIG))
    assert raised.value.field == "word_vectors"


def test_stand_in_marks_must_agree_with_the_config(monkeypatch, tmp_path):
    from engine import SimConfig, load_trace, simulate
    from engine.core.trace import TraceFileError

    plain = simulate("the cat", SimConfig(d_model=50, hidden_size=6, head_size=4))
    arrays = {**plain.arrays(), "known_words": np.array([True, False])}
    np.savez(tmp_path / "marked.npz", **arrays)
    with pytest.raises(TraceFileError, match="random word vectors"):
        load_trace(tmp_path / "marked.npz")
    arrays = {**plain.arrays(), "config": np.array(SimConfig(**GLOVE_CONFIG).to_json()),
              "known_words": np.array([1, 0])}
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(TraceFileError, match="known_words is int64"):
        load_trace(tmp_path / "bad.npz")
