"""One description per config field, kept in the dataclass field's metadata: the rule its value
follows, its command-line flag and help, and its GUI label and tooltip. Validation, the command
line and the widgets all read it, so a new field is written in one place."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterator

from engine.core.validation import check_bool, check_choice, check_int, check_number

SPEC = "spec"  # the metadata key that holds a field's FieldSpec


@dataclass(frozen=True)
class IntRange:
    """A whole number between low and high, both included."""
    low: int
    high: int

    def check(self, name: str, value):
        check_int(name, value, (self.low, self.high))
        return value


@dataclass(frozen=True)
class FloatRange:
    """A finite number between low and high, both included, stored as a float. `step` and
    `decimals` are the spin box's arrow step and the decimals it shows."""
    low: float
    high: float
    step: float = 0.1
    decimals: int = 3

    def check(self, name: str, value):
        return check_number(name, value, (self.low, self.high))


@dataclass(frozen=True)
class Choice:
    """One of a few words."""
    choices: tuple[str, ...]

    def check(self, name: str, value):
        check_choice(name, value, self.choices)
        return value


@dataclass(frozen=True)
class Flag:
    """True or false. On the command line and as a check box it turns the default over: a field
    whose default is True gets a "--no-..." flag. `texts` (for False, True) shows it as a choice
    of two words instead of a check box."""
    texts: tuple[str, str] | None = None

    def check(self, name: str, value):
        check_bool(name, value)
        return value


Rule = IntRange | FloatRange | Choice | Flag


@dataclass(frozen=True)
class FieldSpec:
    """What the command line and the GUI need to know about one field.

    rule: what a value must be (None: the dataclass checks the field in its own code).
    flag: the command-line option ("--d-model"), or None where the field has none.
    help: the command-line help, without the default (argparse adds "(default ...)" unless the
        text places "%(default)s" itself).
    metavar: the placeholder in --help ("D"); argparse's own where None.
    label: the GUI's label; the flag without its dashes where None.
    tip: the GUI's tooltip where it says more than the help.
    added_later: the field came after configs were first saved. While it holds its default it is
        left out of the saved form, so configs, sessions and trace digests saved before it keep
        their exact text (and a file without it reads as the default).
    """
    rule: Rule | None
    flag: str | None
    help: str
    metavar: str | None = None
    label: str | None = None
    tip: str | None = None
    added_later: bool = False

    @property
    def shown_label(self) -> str:
        return self.label or (self.flag or "").lstrip("-")

    @property
    def tooltip(self) -> str:
        return self.tip or self.help[:1].upper() + self.help[1:] + "."


def config_field(default, rule: Rule | None, flag: str | None, help: str, *, default_factory=None,
                 **gui) -> dataclasses.Field:
    """A dataclass field carrying its FieldSpec; `gui` takes metavar, label and tip."""
    metadata = {SPEC: FieldSpec(rule, flag, help, **gui)}
    if default_factory is not None:
        return dataclasses.field(default_factory=default_factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def spec_of(field: dataclasses.Field) -> FieldSpec | None:
    return field.metadata.get(SPEC)


def described_fields(config) -> Iterator[tuple[dataclasses.Field, FieldSpec]]:
    """Every field of a config class (or instance) that carries a FieldSpec, in declaration order."""
    for field in dataclasses.fields(config):
        spec = spec_of(field)
        if spec is not None:
            yield field, spec


def default_of(field: dataclasses.Field):
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def validate_fields(instance) -> None:
    """Check every field that has a rule, in declaration order; a rule that normalises a value
    (an int given for a float) stores the normalised one. Raises ConfigError naming the field."""
    for field, spec in described_fields(instance):
        if spec.rule is None:
            continue
        value = getattr(instance, field.name)
        checked = spec.rule.check(field.name, value)
        if checked is not value:
            object.__setattr__(instance, field.name, checked)
