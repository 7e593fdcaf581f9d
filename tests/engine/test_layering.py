"""The engine is Qt-free: importing it (and running it) in a fresh interpreter loads no Qt or pyqtgraph module."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

FORBIDDEN = {"PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "PySide2"}
REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
{body}
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}})))
"""


def _top_level_modules(body: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE.format(body=body)], cwd=REPO,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("body", [
    "import engine",
    "import engine.run, engine.core.trace, engine.analysis.gradients, engine.models.cells, engine.core.progress",
    "import engine\nengine.simulate('a b c', engine.SimConfig(d_model=4, hidden_size=4, head_size=2))",
])
def test_engine_loads_no_qt(body):
    modules = _top_level_modules(body)
    assert "engine" in modules
    assert not modules & FORBIDDEN, sorted(modules & FORBIDDEN)


def test_config_and_tokenizer_load_without_torch():
    """engine's names load on first use, so the GUI can build its window before torch is imported."""
    modules = _top_level_modules(
        "from engine import SimConfig, ConfigError, MAX_TOKENS, tokenize\n"
        "SimConfig(d_model=4)\ntokenize('a b, c')")
    assert "torch" not in modules
    assert not modules & FORBIDDEN


def test_probe_detects_a_loaded_module():
    """The check itself works: a module that is imported shows up in the list."""
    assert "json" in _top_level_modules("import json")


def test_engine_sources_do_not_mention_qt():
    sources = sorted((REPO / "engine").rglob("*.py"))
    assert sources
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for name in FORBIDDEN:
            assert f"import {name}" not in text and f"from {name}" not in text, path.name
        assert "print(" not in text, f"{path.name}: the engine reports through return values"
