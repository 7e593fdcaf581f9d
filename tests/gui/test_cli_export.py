"""`python main.py --export DIR`: the headless export as a user runs it.

The main paths run as real subprocesses, started together by one module fixture (each pays Python,
Qt and torch start-up, two to five seconds of CPU); the many bad-input cases call main.main() in
this process, which goes through the same code and keeps the suite fast.
"""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine import SimConfig, load_trace, simulate
from gui.session import Session, save_session

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--d-model", "8", "--hidden-size", "8", "--head-size", "4"]
SVG_NS = "{http://www.w3.org/2000/svg}"
PLOTS = ["rnn-hidden", "rnn-reach", "attention-x", "attention-q", "attention-k", "attention-v",
         "attention-scores", "attention-weights", "attention-output", "gradient-rnn-connectivity",
         "gradient-attention-connectivity", "gradient-curves"]
PANELS = ["rnn-panel", "attention-panel", "gradient-panel", "race-strip"]
HEATMAPS = [name for name in PLOTS if name not in ("rnn-reach", "gradient-curves")]
SESSION_SENTENCE = "Birds fly south in winter"
SESSION_CONFIG = SimConfig(d_model=6, hidden_size=6, head_size=2, seed=3)
ERROR_PREFIX = "rnn-vs-transformer: error:"


def _sessions(folder: Path) -> dict[str, Path]:
    good = Session(SESSION_SENTENCE, SESSION_CONFIG, tick=2, selected_token=1,
                   trace_digest=simulate(SESSION_SENTENCE, SESSION_CONFIG).digest())
    paths = {"good": save_session(folder / "good.json", good)}
    paths["corrupt"] = folder / "corrupt.json"
    paths["corrupt"].write_text("{ this is not json", encoding="utf-8")
    paths["future"] = folder / "future.json"
    paths["future"].write_text(json.dumps({**json.loads(good.to_json()), "version": 99}), encoding="utf-8")
    paths["far"] = save_session(folder / "far.json", Session(SESSION_SENTENCE, SESSION_CONFIG, tick=99))
    return paths


def _file(path: Path) -> Path:
    path.write_text("a file, not a folder", encoding="utf-8")
    return path


def _commands(base: Path, sessions: dict[str, Path]) -> dict[str, list[str]]:
    def out(name):
        folder = base / name
        folder.mkdir()
        return str(folder)

    return {
        "full": ["--export", out("full"), "--format", "png,svg", *SMALL, "--gif", "--data"],
        "tick": ["--export", out("tick"), "--format", "svg", *SMALL, "--tick", "3"],
        "session": ["--export", out("session"), "--format", "svg", "--data",
                    "--session", str(sessions["good"])],
        # bad inputs: exit 2, one line on stderr, nothing in the folder
        "uncreatable_dir": ["--export", str(_file(base / "a-file") / "out"), *SMALL],
        "corrupt_session": ["--export", out("corrupt_session"), "--session", str(sessions["corrupt"])],
    }


@pytest.fixture(scope="module")
def sessions(tmp_path_factory):
    return _sessions(tmp_path_factory.mktemp("sessions"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory, sessions):
    base = tmp_path_factory.mktemp("cli")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(base / "config"))
    started = {
        name: subprocess.Popen([sys.executable, "main.py", *args], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for name, args in _commands(base, sessions).items()
    }
    results = {}
    for name, process in started.items():
        stdout, stderr = process.communicate(timeout=180)
        results[name] = (process.returncode, stdout, stderr, base / name)
    return results


def files_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def svg_texts(path: Path) -> list[str]:
    return [(element.text or "").strip() for element in ET.parse(path).getroot().iter(f"{SVG_NS}text")]


def test_full_export_writes_every_documented_file_and_prints_each_path(runs):
    code, stdout, stderr, folder = runs["full"]
    assert code == 0, stderr
    assert "Traceback" not in stderr and "error" not in stderr.lower()
    expected = sorted([f"{name}.{fmt}" for name in PLOTS + PANELS + ["window"] for fmt in ("png", "svg")]
                      + ["animation.gif", "trace.npz"] + [f"{name}.csv" for name in HEATMAPS])
    assert files_in(folder) == expected
    printed = stdout.splitlines()
    assert sorted(Path(line).name for line in printed) == expected
    assert all(Path(line).parent == folder for line in printed)
    assert len(printed) == len(set(printed)) == len(expected)


def test_full_export_files_are_real_images_and_data(runs):
    _, _, _, folder = runs["full"]
    with Image.open(folder / "window.png") as image:
        assert image.size == (3200, 2000)  # twice the 1600×1000 window
    with Image.open(folder / "animation.gif") as gif:
        assert gif.n_frames == 2 * 5 + 1  # one frame per tick of "The cat sat on mat"
    trace = load_trace(folder / "trace.npz")
    assert trace.tokens == ("The", "cat", "sat", "on", "mat")
    assert trace.config == SimConfig(d_model=8, hidden_size=8, head_size=4)
    assert trace.digest() == simulate("The cat sat on mat", trace.config).digest()
    texts = svg_texts(folder / "attention-weights.svg")
    assert all(token in texts for token in trace.tokens)
    header, *rows = (folder / "rnn-hidden.csv").read_text(encoding="utf-8").splitlines()
    assert header.split(",")[1:] == [f"hidden dimension {i}" for i in range(8)]
    values = np.array([[float(v) for v in row.split(",")[1:]] for row in rows])
    assert np.array_equal(values, trace.rnn.hidden)
    assert "tick 10 of 10, backward phase" in svg_texts(folder / "window.svg")  # default: final


def test_tick_option_draws_that_tick(runs):
    code, stdout, stderr, folder = runs["tick"]
    assert code == 0, stderr
    assert files_in(folder) == sorted(f"{name}.svg" for name in PLOTS + PANELS + ["window"])
    assert "tick 3 of 10, forward phase" in svg_texts(folder / "window.svg")


def test_session_option_uses_the_sessions_sentence_parameters_tick_and_digest(runs):
    code, stdout, stderr, folder = runs["session"]
    assert code == 0, stderr
    trace = load_trace(folder / "trace.npz")
    assert trace.sentence == SESSION_SENTENCE
    assert trace.config == SESSION_CONFIG
    assert trace.digest() == simulate(SESSION_SENTENCE, SESSION_CONFIG).digest()
    texts = svg_texts(folder / "window.svg")
    assert "tick 2 of 10, forward phase" in texts
    assert SESSION_SENTENCE in texts


@pytest.mark.parametrize("case, message", [
    ("uncreatable_dir", "cannot create folder"),
    ("corrupt_session", "is not valid JSON"),
])
def test_bad_input_from_a_real_process_exits_2_with_one_line(runs, case, message):
    code, stdout, stderr, folder = runs[case]
    assert code == 2, (stdout, stderr)
    assert stderr.startswith(ERROR_PREFIX) and stderr.count("\n") == 1, stderr
    assert message in stderr
    assert stdout == ""
    if folder.is_dir():
        assert files_in(folder) == []


@pytest.fixture
def cli(capsys, qapp):
    """main.main(argv) in this process: (exit code, stdout, stderr). The headless export changes
    pyqtgraph's global options and the application's names; they are put back afterwards."""
    import pyqtgraph as pg

    import main

    options = dict(pg.CONFIG_OPTIONS)
    names = (qapp.organizationName(), qapp.applicationName(), qapp.applicationDisplayName())

    def run(*argv):
        capsys.readouterr()
        code = main.main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield run
    pg.setConfigOptions(**options)
    qapp.setOrganizationName(names[0])
    qapp.setApplicationName(names[1])
    qapp.setApplicationDisplayName(names[2])


BAD = {
    "unknown format": (["--format", "png,jpg"], "unknown image format 'jpg'"),
    "no format": (["--format", ","], "no image format given"),
    "width 0": (["--width", "0"], "width must be between 16 and 16,000 pixels, got 0"),
    "width 100000": (["--width", "100000"], "width must be between 16 and 16,000 pixels, got 100000"),
    "tick 99": (["--tick", "99"], "--tick must be between 0 and 10 for this sentence, got 99"),
    "tick word": (["--tick", "middle"], "--tick must be a whole number or 'final', got 'middle'"),
    "tick negative": (["--tick", "-1"], "--tick must be between 0 and 10"),
    "bad parameter": (["--d-model", "1"], "--d-model must be between 2 and 2048, got 1"),
    "empty sentence": (["--sentence", "  "], "the sentence is empty"),
    "future session": (["--session", "{future}"], "newer version (session format 99"),
    "missing session": (["--session", "{folder}/nope.json"], "no such file"),
    "fps 0": (["--gif", "--fps", "0", "--format", "svg"], "frames per second must be between 1 and 50, got 0"),
    "fps 100": (["--gif", "--fps", "100", "--format", "svg"],
                "frames per second must be between 1 and 50, got 100"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_2_with_one_error_line_and_writes_nothing(cli, sessions, tmp_path, case):
    extra, message = BAD[case]
    extra = [arg.format(future=sessions["future"], folder=tmp_path) for arg in extra]
    folder = tmp_path / "out"
    folder.mkdir()
    code, stdout, stderr = cli("--export", folder, *SMALL, *extra)
    assert code == 2, (stdout, stderr)
    assert stderr.startswith(ERROR_PREFIX), stderr
    assert stderr.count("\n") == 1 and stderr.endswith("\n"), stderr
    assert message in stderr
    assert stdout == "", f"printed {len(stdout.splitlines())} paths before failing"
    assert files_in(folder) == [], f"{case}: files were left behind"


def test_width_option_sets_every_png_width(cli, tmp_path):
    code, stdout, stderr = cli("--export", tmp_path, "--format", "png", *SMALL, "--width", "300",
                               "--sentence", "One two three")
    assert code == 0, stderr
    assert len(files_in(tmp_path)) == len(PLOTS + PANELS) + 1
    assert sorted(stdout.splitlines()) == sorted(str(path) for path in tmp_path.iterdir())
    for name in files_in(tmp_path):
        with Image.open(tmp_path / name) as image:
            assert image.width == 300, name


def test_tick_option_wins_over_the_sessions_tick(cli, sessions, tmp_path):
    code, stdout, stderr = cli("--export", tmp_path, "--format", "svg", "--tick", "final",
                               "--session", sessions["good"], "--sentence", "ignored words here")
    assert code == 0, stderr
    texts = svg_texts(tmp_path / "window.svg")
    assert "tick 10 of 10, backward phase" in texts
    assert SESSION_SENTENCE in texts and "ignored words here" not in texts


def test_session_tick_beyond_the_sentence_is_clamped_as_the_app_does(cli, sessions, tmp_path):
    code, stdout, stderr = cli("--export", tmp_path, "--session", sessions["far"])
    assert code == 0, stderr
    assert "rnn-hidden.png" in files_in(tmp_path)


def test_a_typed_tick_beyond_the_sentence_is_refused(cli, sessions, tmp_path):
    code, stdout, stderr = cli("--export", tmp_path, "--session", sessions["far"], "--tick", "99")
    assert code == 2 and stderr.startswith(ERROR_PREFIX) and "got 99" in stderr
    assert files_in(tmp_path) == []


def test_save_trace_into_a_missing_folder_exits_2(cli, tmp_path):
    code, stdout, stderr = cli("--save-trace", tmp_path / "nowhere" / "t.npz", *SMALL)
    assert code == 2
    assert stderr.startswith(ERROR_PREFIX) and "does not exist" in stderr
    assert files_in(tmp_path) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root ignores directory permissions, so a read-only folder is writable")
def test_export_into_a_read_only_folder_exits_2(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = subprocess.run([sys.executable, "main.py", "--export", str(folder), *SMALL], cwd=ROOT,
                                env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), text=True,
                                capture_output=True, timeout=120)
    finally:
        folder.chmod(0o700)
    assert result.returncode == 2
    assert result.stderr.startswith(ERROR_PREFIX) and "permission denied" in result.stderr
    assert files_in(folder) == []


def test_exported_window_does_not_claim_the_engine_is_starting(runs):
    """The headless export shows a finished run; its status bar should describe that run, as the
    app's does after a run, not the start-up text of a window that never ran anything."""
    _, _, _, folder = runs["full"]
    texts = svg_texts(folder / "window.svg")
    assert "Starting the engine…" not in texts


def test_export_into_a_missing_folder_creates_it_as_the_readme_example_expects(cli, tmp_path):
    code, stdout, stderr = cli("--export", tmp_path / "out", "--format", "svg", *SMALL)
    assert code == 0, stderr
    assert (tmp_path / "out" / "window.svg").is_file()
    assert str(tmp_path / "out" / "window.svg") in stdout.splitlines()
