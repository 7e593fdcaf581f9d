"""One edit per new config field: every SimConfig and LabConfig field has exactly one command-line
option and one widget, both made from the field's metadata, and a made-up field added to a config
shows up in both with no other change."""

import argparse
import dataclasses

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QSpinBox

import cli.options
import main
from engine.core.config import SimConfig
from engine.core.fields import Choice, Flag, FloatRange, IntRange, config_field, described_fields
from engine.labs.cost.config import LabConfig
from gui.labs.cost.controls import CostLabControls
from gui.views.parameters import ParameterPanel

TINY = dict(d_model=4, hidden_size=4, head_size=2)


def options_for(parser: argparse.ArgumentParser, name: str) -> list[argparse.Action]:
    return [action for action in parser._actions if action.dest == name]


def assert_option_follows_metadata(parser, field, spec):
    options = options_for(parser, field.name)
    assert len(options) == 1, field.name
    option = options[0]
    assert option.option_strings == [spec.flag]
    if isinstance(spec.rule, Flag):  # the flag turns the default over
        assert option.default is field.default and option.const is (not field.default)
        assert option.help == spec.help
    else:
        assert option.default == field.default and option.metavar == spec.metavar
        assert option.choices == getattr(spec.rule, "choices", None)
        assert spec.help in option.help and "default" in option.help


def assert_widget_follows_metadata(widget, field, spec):
    rule = spec.rule
    assert widget.toolTip() == spec.tooltip, field.name
    if isinstance(rule, (IntRange, FloatRange)):
        assert isinstance(widget, (QSpinBox, QDoubleSpinBox))
        assert (widget.minimum(), widget.maximum()) == (rule.low, rule.high)
    elif isinstance(rule, Choice):
        assert isinstance(widget, QComboBox)
        assert tuple(widget.itemData(i) for i in range(widget.count())) == rule.choices
    elif rule.texts:
        assert tuple(widget.itemText(i) for i in range(widget.count())) == rule.texts
    else:
        assert isinstance(widget, QCheckBox)


def form_labels(panel) -> list[str]:
    return [label.text() for label in panel.findChildren(QLabel)]


# -- SimConfig ------------------------------------------------------------------------------------

def test_every_sim_config_field_has_one_option_from_its_metadata():
    parser = main.build_parser()
    for field, spec in described_fields(SimConfig):
        assert_option_follows_metadata(parser, field, spec)
    assert set(main.CONFIG_FLAGS) == {field.name for field in dataclasses.fields(SimConfig)}


def test_every_sim_config_field_has_one_widget_from_its_metadata(qtbot):
    panel = ParameterPanel(SimConfig(**TINY))
    qtbot.addWidget(panel)
    assert list(panel.widgets) == [field.name for field in dataclasses.fields(SimConfig)]
    for field, spec in described_fields(SimConfig):
        assert_widget_follows_metadata(panel.widgets[field.name], field, spec)
        assert spec.flag.lstrip("-") in form_labels(panel)


def test_bool_flags_and_check_boxes_turn_the_default_over(qtbot):
    args = main.build_parser().parse_args(["--no-scaling", "--causal"])
    assert cli.options.config_from_args(args) == SimConfig(scaling=False, causal=True)
    panel = ParameterPanel(SimConfig(**TINY, scaling=False, causal=True))
    qtbot.addWidget(panel)
    assert panel.widgets["scaling"].isChecked() and panel.widgets["causal"].isChecked()


@dataclasses.dataclass(frozen=True)
class WithDropout(SimConfig):
    """SimConfig plus one made-up field, written once."""
    dropout: float = config_field(0.0, FloatRange(0.0, 0.5, step=0.05, decimals=2), "--dropout",
                                  "drop attention weights with probability P", metavar="P",
                                  tip="The chance that each attention weight is dropped.")


def test_a_new_sim_config_field_gets_its_option_with_no_other_edit():
    parser = argparse.ArgumentParser()
    cli.options.add_field_options(parser, WithDropout)
    field = next(f for f in dataclasses.fields(WithDropout) if f.name == "dropout")
    assert_option_follows_metadata(parser, field, field.metadata["spec"])
    assert parser.parse_args(["--dropout", "0.25"]).dropout == 0.25
    assert "drop attention weights with probability P (default 0.0)" in " ".join(
        parser.format_help().split())


def test_a_new_sim_config_field_gets_its_widget_with_no_other_edit(qtbot):
    class DropoutPanel(ParameterPanel):
        config_class = WithDropout

    panel = DropoutPanel(WithDropout(**TINY, dropout=0.1))
    qtbot.addWidget(panel)
    field = next(f for f in dataclasses.fields(WithDropout) if f.name == "dropout")
    assert_widget_follows_metadata(panel.widgets["dropout"], field, field.metadata["spec"])
    assert "dropout" in form_labels(panel)
    assert panel.config() == WithDropout(**TINY, dropout=0.1)
    with qtbot.waitSignal(panel.config_changed, timeout=2000) as blocker:
        panel.widgets["dropout"].setValue(0.3)
    assert blocker.args[0] == WithDropout(**TINY, dropout=0.3)
    with qtbot.waitSignal(panel.config_changed, timeout=2000) as blocker:
        panel.choose_preset("Readable")  # presets leave a field they do not name at its default
    assert blocker.args[0].dropout == 0.0 and blocker.args[0].d_model == 8


# -- LabConfig ------------------------------------------------------------------------------------

def test_every_lab_config_field_has_one_option_from_its_metadata():
    parser = main.build_parser()
    for field, spec in described_fields(LabConfig):
        if field.name == "lengths":  # two options, --min-n and --max-n
            assert [option.option_strings for option in options_for(parser, "min_n")] == [["--min-n"]]
            assert [option.option_strings for option in options_for(parser, "max_n")] == [["--max-n"]]
        elif spec.flag in main.CONFIG_FLAGS.values():  # the widths share the model's options
            assert [option.option_strings for option in options_for(parser, field.name)] == [[spec.flag]]
        else:
            assert_option_follows_metadata(parser, field, spec)


def test_the_benchmark_options_build_the_lab_config():
    args = main.build_parser().parse_args(
        ["--benchmark", "--d-model", "16", "--warmup", "3", "--dtype", "float64", "--threads", "1",
         "--min-n", "4", "--max-n", "16", "--backward", "--repeats", "2", "--head-size", "8"])
    assert cli.options.lab_config_from_args(args) == LabConfig(
        d_model=16, warmup=3, dtype="float64", threads=1, lengths=(4, 8, 16), backward=True,
        repeats=2, head_size=8)


@pytest.mark.parametrize("flags, message", [
    (["--warmup", "101"], "--warmup must be between 0 and 100, got 101"),
    (["--d-model", "9000"], "--d-model must be between 2 and 8192, got 9000"),
    (["--min-n", "64", "--max-n", "8"], "--max-n must be between 64 and 65536, got 8"),
])
def test_benchmark_errors_name_their_flag(capsys, flags, message):
    assert main.main(["--benchmark", *flags]) == 2
    assert capsys.readouterr().err.strip() == f"rnn-vs-transformer: error: {message}"


def test_every_lab_config_field_has_one_row_from_its_metadata(qtbot):
    controls = CostLabControls()
    qtbot.addWidget(controls)
    expected = []
    for field, spec in described_fields(LabConfig):
        if field.name == "lengths":
            expected += ["min_n", "max_n"]
            continue
        expected.append(field.name)
        widget = controls.widgets[field.name]
        if field.name == "device":  # the cuda item says whether torch sees a GPU
            assert widget.toolTip() == spec.tooltip and widget.itemData(1) == "cuda"
        else:
            assert_widget_follows_metadata(widget, field, spec)
        assert spec.label in form_labels(controls)
    assert list(controls.widgets) == expected


@dataclasses.dataclass(frozen=True)
class WithBatch(LabConfig):
    """LabConfig plus one made-up field, written once."""
    batch: int = config_field(1, IntRange(1, 64), "--batch", "sentences measured at once",
                              metavar="B", label="Batch size")


def test_a_new_lab_config_field_gets_its_option_and_row_with_no_other_edit(qtbot):
    parser = argparse.ArgumentParser()
    cli.options.add_field_options(parser, WithBatch)
    field = next(f for f in dataclasses.fields(WithBatch) if f.name == "batch")
    assert_option_follows_metadata(parser, field, field.metadata["spec"])

    class BatchControls(CostLabControls):
        config_class = WithBatch

    controls = BatchControls()
    qtbot.addWidget(controls)
    assert_widget_follows_metadata(controls.widgets["batch"], field, field.metadata["spec"])
    assert "Batch size" in form_labels(controls)
    assert controls.set_values({"batch": 8, "min_n": 4, "max_n": 8, **TINY}) == []
    assert controls.config() == WithBatch(**TINY, lengths=(4, 8), batch=8)
    assert controls.set_values({"batch": 65}) == ["batch"]  # out of the widget's range
