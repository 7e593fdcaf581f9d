"""The training lab's five tasks, generated from a seed over a small built-in vocabulary of real
English words (nothing is downloaded). Every example is n words followed by one cue word; a model
reads all n + 1 and predicts the target word from its state at the cue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from engine.core.seeding import generator

WORD_CLASSES = {  # "cat" and "dog" share a class; so do "mat" and "hat"
    "animal": ("cat", "dog", "bird", "fish", "horse", "cow", "mouse", "fox",
               "lion", "tiger", "bear", "wolf", "duck", "goat", "sheep", "frog"),
    "object": ("mat", "hat", "box", "ball", "cup", "book", "pen", "key",
               "bag", "bed", "chair", "table", "door", "lamp", "rug", "sock"),
    "place": ("park", "house", "garden", "farm", "school", "river", "beach", "forest",
              "city", "town", "field", "lake", "shop", "road", "hill", "barn"),
    "verb": ("sat", "ran", "saw", "ate", "slept", "jumped", "hid", "sang",
             "walked", "played", "found", "lost", "kept", "held", "liked", "watched"),
}
CONTENT_WORDS = tuple(word for words in WORD_CLASSES.values() for word in words)
FUNCTION_WORDS = ("the", "on", "in", "near", "was", "they")
BITS = ("0", "1")
CUES = {"first-word": "first", "previous-word": "previous", "parity": "parity",
        "word-classes": "class"}  # recall's cue is its query key
ANSWERS = ("even", "odd", *WORD_CLASSES)  # parity's answers, then the class names
VOCABULARY = (*CONTENT_WORDS, *FUNCTION_WORDS, *BITS, *dict.fromkeys(CUES.values()), *ANSWERS)
WORD_ID = {word: index for index, word in enumerate(VOCABULARY)}
RECALL_KEYS = WORD_CLASSES["animal"] + WORD_CLASSES["object"]
RECALL_VALUES = WORD_CLASSES["place"] + WORD_CLASSES["verb"]


def ids(words) -> np.ndarray:
    return np.array([WORD_ID[word] for word in words], dtype=np.int64)


_CONTENT_IDS = ids(CONTENT_WORDS)
_KEY_IDS = ids(RECALL_KEYS)
_VALUE_IDS = ids(RECALL_VALUES)
_BIT_IDS = ids(BITS)
_PARITY_IDS = ids(("even", "odd"))


def _with_cue(words: np.ndarray, task: str) -> np.ndarray:
    """(B, n) -> (B, n + 1): the task's cue word appended to every example."""
    cue = np.full((words.shape[0], 1), WORD_ID[CUES[task]], dtype=np.int64)
    return np.concatenate([words, cue], axis=1)


def first_word(rng: np.random.Generator, n: int, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Remember the first word: n random content words, then "first"; the target is word 1.

    Pure long-range memory: the answer lies n steps back from the cue. An RNN must carry it
    through n updates of its state; attention looks straight at position 0."""
    words = _CONTENT_IDS[rng.integers(0, len(_CONTENT_IDS), size=(batch, n))]  # (B, n)
    return _with_cue(words, "first-word"), words[:, 0].copy()


def recall(rng: np.random.Generator, n: int, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Associative recall: n // 2 (key, value) word pairs, then a query key; the target is the
    value paired with it ("cat park dog sat ... dog" -> "sat").

    Retrieval by content, attention's home ground (multi-query associative recall, Arora et al.
    2023; induction heads, Olsson et al. 2022). Each example maps up to 32 keys (animals and
    objects) to values (places and verbs); every key appears at least once, and a key that
    appears again keeps its value, so the answer is never ambiguous. Two attention blocks solve
    it: one copies each key's value onto the key beside it, the next finds the key by content.
    An odd n starts with one "the"."""
    pairs = n // 2
    keys_used = min(pairs, len(_KEY_IDS))
    tokens = np.full((batch, n), WORD_ID["the"], dtype=np.int64)  # (B, n)
    targets = np.empty(batch, dtype=np.int64)
    queries = np.empty((batch, 1), dtype=np.int64)
    for row in range(batch):
        keys = rng.permutation(_KEY_IDS)[:keys_used]  # (k,) distinct
        values = _VALUE_IDS[rng.integers(0, len(_VALUE_IDS), size=keys_used)]  # (k,)
        order = np.concatenate([rng.permutation(keys_used),
                                rng.integers(0, keys_used, size=pairs - keys_used)])  # (pairs,)
        start = n - 2 * pairs
        tokens[row, start::2] = keys[order]
        tokens[row, start + 1::2] = values[order]
        asked = rng.integers(0, keys_used)
        queries[row, 0], targets[row] = keys[asked], values[asked]
    return np.concatenate([tokens, queries], axis=1), targets


def previous_word(rng: np.random.Generator, n: int, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Previous word (the control): n random content words, then "previous"; the target is the
    word just before the cue.

    The answer is one step back, so every model should learn it at any n: a gap on the other
    tasks is about distance, not about capacity."""
    words = _CONTENT_IDS[rng.integers(0, len(_CONTENT_IDS), size=(batch, n))]  # (B, n)
    return _with_cue(words, "previous-word"), words[:, -1].copy()


def parity(rng: np.random.Generator, n: int, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Parity (the honest counterpoint): n words "0" or "1", then "parity"; the target is "odd"
    when the string holds an odd number of 1s, else "even".

    A recurrent state flips one bit per "1" and learns it at long n, while a small Transformer
    struggles to count (Merrill et al. 2024, "The Illusion of State"): the lab must not tell a
    one-sided story."""
    bits = rng.integers(0, 2, size=(batch, n))  # (B, n)
    return _with_cue(_BIT_IDS[bits], "parity"), _PARITY_IDS[bits.sum(axis=1) % 2]


# Sentences of the word-class grammar; "{animal}" takes any word of that class.
TEMPLATES = (
    "the {animal} {verb} on the {object}",  # the cat sat on the mat
    "the {object} was in the {place}",
    "the {place} was near the {place}",
    "they {verb} the {object} in the {place}",
)
# The first sentence: its subject's class is the target. Every word around the subject is drawn
# alike for each class, so nothing but the subject itself tells the class.
SUBJECT_TEMPLATE = "the {subject} {verb} near the {place}"
SUBJECT_CLASSES = ("animal", "object", "place")


def _sentence(rng: np.random.Generator, template: str, subject_class: str = "animal") -> list[str]:
    words = []
    for slot in template.split():
        if slot.startswith("{"):
            name = subject_class if slot == "{subject}" else slot[1:-1]
            words.append(WORD_CLASSES[name][rng.integers(0, len(WORD_CLASSES[name]))])
        else:
            words.append(slot)
    return words


def word_classes(rng: np.random.Generator, n: int, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Word classes: n words of sentences from a small grammar over animals, objects, verbs and
    places ("the cat sat on the mat", "the ball was in the park", ...), then "class"; the target
    is the class ("animal", "object" or "place") of the example's second word, the subject of
    its first sentence ("the cat ran near the park ...").

    The target depends on the class of a word n - 1 steps back, not on the word itself, so
    training pushes the embeddings of same-class words together: "cat" ends up near "dog"."""
    tokens = np.empty((batch, n), dtype=np.int64)  # (B, n)
    targets = np.empty(batch, dtype=np.int64)
    for row in range(batch):
        subject_class = SUBJECT_CLASSES[rng.integers(0, len(SUBJECT_CLASSES))]
        words = _sentence(rng, SUBJECT_TEMPLATE, subject_class)
        while len(words) < n:
            words += _sentence(rng, TEMPLATES[rng.integers(0, len(TEMPLATES))])
        tokens[row] = ids(words[:n])
        targets[row] = WORD_ID[subject_class]
    return _with_cue(tokens, "word-classes"), targets


Maker = Callable[[np.random.Generator, int, int], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Task:
    name: str  # the command line's word: "first-word"
    title: str  # for people: "Remember the first word"
    make: Maker  # (rng, n, batch) -> tokens (B, n + 1), targets (B,)

    @property
    def description(self) -> str:
        return (self.make.__doc__ or "").split("\n\n")[0].replace("\n   ", "").strip()

    def batch(self, seed: int, purpose: str, n: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        """A batch that depends only on (seed, purpose, n, size): the same for every model."""
        return self.make(generator(seed, f"{self.name}:{purpose}"), n, size)

    def example(self, seed: int, n: int) -> tuple[list[str], str]:
        """One example as words (the n words and the cue) and its target word, for showing."""
        tokens, targets = self.batch(seed, "example", n, 1)
        return [VOCABULARY[i] for i in tokens[0]], VOCABULARY[targets[0]]


TASKS = {task.name: task for task in (
    Task("first-word", "Remember the first word", first_word),
    Task("recall", "Associative recall", recall),
    Task("previous-word", "Previous word (control)", previous_word),
    Task("parity", "Parity (counterpoint)", parity),
    Task("word-classes", "Word classes", word_classes),
)}
TASK_NAMES = tuple(TASKS)


def chance_accuracy(task: str) -> float:
    """The accuracy of always guessing the most common target."""
    if task == "parity":
        return 0.5
    if task == "word-classes":
        return 1 / len(SUBJECT_CLASSES)
    if task == "recall":
        return 1 / len(RECALL_VALUES)
    return 1 / len(CONTENT_WORDS)
