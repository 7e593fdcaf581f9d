"""The cosine table of a few words: near 0 between random vectors, high for cat and dog in GloVe."""

import numpy as np
import pytest

from engine import SimConfig
from engine.analysis.similarity import cosine_table, format_table
from engine.core.glove import glove_problem
from engine.core.word_vectors import WordVectors

WORDS = ["cat", "dog", "sat", "mat"]


def test_random_vectors_are_about_orthogonal_and_say_so():
    table = cosine_table(WORDS, SimConfig(d_model=512))
    np.testing.assert_allclose(np.diag(table.cosine), 1.0)
    np.testing.assert_allclose(table.cosine, table.cosine.T)
    off = table.cosine[~np.eye(4, dtype=bool)]
    assert np.all(np.abs(off) < 0.2)  # 512 random dimensions: |cos| about 1/sqrt(512)
    assert table.source == "random, seed 0" and table.stand_ins == ()
    assert format_table(table).splitlines()[1].startswith("cat")


@pytest.mark.skipif(glove_problem() is not None, reason="the glove extra is not installed")
def test_glove_puts_cat_near_dog():
    table = cosine_table(WORDS + ["zqxvbnmw"], SimConfig(d_model=50, word_vectors="glove"))
    cat_dog, cat_sat = table.cosine[0, 1], table.cosine[0, 2]
    assert cat_dog > 0.85 and cat_sat < 0.5
    assert table.stand_ins == ("zqxvbnmw",) and table.source.startswith("GloVe")


def test_no_words_is_refused():
    with pytest.raises(ValueError, match="at least one word"):
        cosine_table([], SimConfig())


def test_a_word_table_gives_its_own_vectors_and_seeded_stand_ins():
    vectors = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])  # (3, 2)
    table = cosine_table(["cat", "dog", "sat", "zzzq"], SimConfig(d_model=2),
                         WordVectors(["cat", "dog", "sat"], vectors, "the trained words"))
    np.testing.assert_allclose(table.cosine[:3, :3], [[1, 0.8, 0], [0.8, 1, 0.6], [0, 0.6, 1]],
                               atol=1e-12)
    assert table.source == "the trained words" and table.stand_ins == ("zzzq",)
