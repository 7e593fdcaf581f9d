"""The packaged presets do what their names promise, on a sentence of twenty words."""

import json
from importlib import resources

import pytest

from engine import SimConfig, simulate

SENTENCE = " ".join(["the cat sat on the mat and the dog barked"] * 2)


def preset_values(name: str) -> dict:
    data = json.loads(resources.files("resources").joinpath("presets.json").read_text("utf-8"))
    return next(p["values"] for p in data["presets"] if p["name"].startswith(name))


@pytest.mark.parametrize("name", ["Vanishing", "Exploding"])
def test_preset_gradient_direction(name):
    trace = simulate(SENTENCE, SimConfig(**preset_values(name)))
    first, last = trace.rnn.input_gradient[0], trace.rnn.input_gradient[-1]
    if name == "Vanishing":
        assert trace.rnn.lambda1 * trace.rnn.gamma < 1  # Pascanu: vanishing is guaranteed
        assert first < 1e-3 * last
    else:
        assert first > 10 * last  # the gradient through time grows on its way back


def test_every_preset_is_a_valid_config():
    data = json.loads(resources.files("resources").joinpath("presets.json").read_text("utf-8"))
    for preset in data["presets"]:
        SimConfig(**preset["values"])
