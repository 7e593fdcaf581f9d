"""Field metadata: every config field carries its rule, and one validate_fields checks both configs
with the messages users (and the command line, the dock and saved sessions) have always seen."""

import dataclasses

import pytest

from engine.core.config import SimConfig
from engine.core.errors import ConfigError
from engine.core.fields import (Choice, Flag, FloatRange, IntRange, config_field, default_of,
                                described_fields, validate_fields)
from engine.labs.cost.config import LabConfig


def problem(config_class, **values) -> tuple[str, str]:
    with pytest.raises(ConfigError) as caught:
        config_class(**values)
    return caught.value.field, caught.value.problem


@pytest.mark.parametrize("values, expected", [
    ({"d_model": 1}, ("d_model", "must be between 2 and 2048, got 1")),
    ({"hidden_size": 2.5}, ("hidden_size", "must be a whole number, got 2.5")),
    ({"heads": True}, ("heads", "must be a whole number, got True")),
    ({"head_size": 513}, ("head_size", "must be between 1 and 512, got 513")),
    ({"seed": 2**32}, ("seed", "must be between 0 and 4294967295, got 4294967296")),
    ({"cell": "transformer"}, ("cell", "must be one of rnn, lstm, gru; got 'transformer'")),
    ({"activation": "gelu"}, ("activation", "must be one of tanh, sigmoid, relu, identity; got 'gelu'")),
    ({"positional": None}, ("positional", "must be one of none, sinusoidal; got None")),
    ({"causal": 1}, ("causal", "must be true or false, got 1")),
    ({"scaling": "yes"}, ("scaling", "must be true or false, got 'yes'")),
    ({"recurrent_scale": float("inf")}, ("recurrent_scale", "must be a number, got inf")),
    ({"recurrent_scale": "2"}, ("recurrent_scale", "must be a number, got '2'")),
    ({"recurrent_scale": False}, ("recurrent_scale", "must be a number, got False")),
    ({"recurrent_scale": 10.5}, ("recurrent_scale", "must be between 0 and 10, got 10.5")),
    ({"recurrent_scale": 10**400},
     ("recurrent_scale", "must be between 0 and 10, got 1" + "0" * 38 + "…")),
    ({"positional": "sinusoidal", "d_model": 7},
     ("d_model", "must be even for sinusoidal positions, got 7")),
])
def test_sim_config_messages_are_unchanged(values, expected):
    assert problem(SimConfig, **values) == expected


@pytest.mark.parametrize("values, expected", [
    ({"device": "tpu"}, ("device", "must be one of cpu, cuda; got 'tpu'")),
    ({"dtype": "float16"}, ("dtype", "must be one of float32, float64; got 'float16'")),
    ({"d_model": 8193}, ("d_model", "must be between 2 and 8192, got 8193")),
    ({"head_size": 0}, ("head_size", "must be between 1 and 512, got 0")),
    ({"repeats": 0}, ("repeats", "must be between 1 and 100, got 0")),
    ({"warmup": "1"}, ("warmup", "must be a whole number, got '1'")),
    ({"threads": 257}, ("threads", "must be between 0 and 256, got 257")),
    ({"backward": 0}, ("backward", "must be true or false, got 0")),
    ({"lengths": ()}, ("lengths", "must hold at least one n")),
    ({"lengths": 5}, ("lengths", "must be a list of whole numbers, got 5")),
    ({"lengths": (8, 4)}, ("lengths", "must be increasing with no repeats, got [8, 4]")),
    ({"lengths": (0, 4)}, ("lengths", "must be between 1 and 65536, got 0")),
])
def test_lab_config_messages_are_unchanged(values, expected):
    assert problem(LabConfig, **values) == expected


def test_a_whole_recurrent_scale_is_stored_as_a_float():
    scale = SimConfig(recurrent_scale=2).recurrent_scale
    assert scale == 2.0 and type(scale) is float


@pytest.mark.parametrize("config_class, unruled", [(SimConfig, set()), (LabConfig, {"lengths"})])
def test_every_field_is_described_and_ruled(config_class, unruled):
    described = {field.name: spec for field, spec in described_fields(config_class)}
    assert set(described) == {field.name for field in dataclasses.fields(config_class)}
    assert {name for name, spec in described.items() if spec.rule is None} == unruled
    for name, spec in described.items():
        assert spec.help and spec.tooltip and spec.shown_label, name
        assert (spec.flag is None) == (name in unruled), name


@pytest.mark.parametrize("config_class", [SimConfig, LabConfig])
def test_every_default_follows_its_own_rule(config_class):
    for field, spec in described_fields(config_class):
        if spec.rule is not None:
            assert spec.rule.check(field.name, default_of(field)) == default_of(field)


def test_validate_fields_checks_any_described_dataclass():
    """A config made only of described fields needs no check of its own."""

    @dataclasses.dataclass(frozen=True)
    class Made:
        size: int = config_field(3, IntRange(1, 9), "--size", "a size")
        rate: float = config_field(0.5, FloatRange(0.0, 1.0), "--rate", "a rate")
        kind: str = config_field("a", Choice(("a", "b")), "--kind", "a kind")
        on: bool = config_field(False, Flag(), "--on", "a switch")

        def __post_init__(self):
            validate_fields(self)

    assert Made(rate=1).rate == 1.0
    assert problem(Made, size=10) == ("size", "must be between 1 and 9, got 10")
    assert problem(Made, rate=2) == ("rate", "must be between 0 and 1, got 2")
    assert problem(Made, kind="c") == ("kind", "must be one of a, b; got 'c'")
    assert problem(Made, on=None) == ("on", "must be true or false, got None")
