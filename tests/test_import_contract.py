"""The import contract, read from the sources: the engine never imports the gui, Qt or pyqtgraph,
and within each package nothing imports upward (a layer may import only the layers below it)."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
QT = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "PySide2")

# Each layer, lowest first, and the layers it may import besides itself.
ENGINE_LAYERS = {
    "engine.core": (),
    "engine.models": ("engine.core",),
    "engine.analysis": ("engine.core", "engine.models"),
    "engine.run": ("engine.core", "engine.models", "engine.analysis"),
    "engine.labs": ("engine.core", "engine.models", "engine.analysis", "engine.run"),
}
# The gui's views never reach into a lab's window, and the app state is plain Python.
GUI_FORBIDDEN = {"gui.views": ("gui.labs",),
                 "gui.state": ("gui.views", "gui.labs", "gui.export", *QT)}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(path: Path) -> str:
    """The package a file's relative imports start from."""
    name = module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def imported_modules(path: Path, text: str | None = None) -> set[str]:
    """Every module a file imports, at any depth of its code (lazy imports included), relative
    imports resolved to their absolute names. `text`: read it as the file's source instead."""
    found = set()
    source = path.read_text(encoding="utf-8") if text is None else text
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package_of(path).split(".")
                anchor = ".".join(parts[:len(parts) - (node.level - 1)])
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def sources(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


def test_the_engine_imports_no_gui_and_no_qt():
    checked = 0
    for path in sources("engine"):
        for name in imported_modules(path):
            checked += 1
            assert not within(name, "gui"), f"{module_name(path)} imports {name}"
            assert not any(within(name, qt) for qt in QT), f"{module_name(path)} imports {name}"
    assert checked > 100


def layer_of(name: str) -> str | None:
    return next((layer for layer in ENGINE_LAYERS if within(name, layer)), None)


def test_engine_layers_import_only_downwards():
    for path in sources("engine"):
        own = layer_of(module_name(path))
        if own is None:  # engine/__init__.py names its public API lazily, from every layer
            continue
        allowed = (own, *ENGINE_LAYERS[own])
        for name in imported_modules(path):
            # The package itself names every layer's public API: inside a layer, it hides
            # whatever it imports.
            assert name != "engine", f"{module_name(path)} imports the engine package itself"
            layer = layer_of(name)
            assert layer is None or layer in allowed, (
                f"{module_name(path)} ({own}) imports {name} ({layer}): an upward import")


@pytest.mark.parametrize("package, forbidden", GUI_FORBIDDEN.items())
def test_gui_packages_keep_their_imports(package, forbidden):
    paths = sources(package.replace(".", "/"))
    assert paths
    for path in paths:
        for name in imported_modules(path):
            assert not any(within(name, lab) for lab in forbidden), f"{module_name(path)} imports {name}"


def test_the_contract_catches_an_upward_import(tmp_path):
    """The checker itself works: a core module importing a model is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from engine.models.rnn import RNNStepper\n")
    assert "engine.models.rnn" in imported_modules(bad)
    assert layer_of("engine.models.rnn") not in (layer_of("engine.core.x"),
                                                 *ENGINE_LAYERS[layer_of("engine.core.x")])


@pytest.mark.parametrize("text, as_file, expected", [
    ("from . import rnn\n", "engine/models/cells.py", "engine.models.rnn"),
    ("from ..core import config\n", "engine/models/cells.py", "engine.core.config"),
    ("from .. import run\n", "engine/labs/__init__.py", "engine.run"),
    ("def f():\n    from .sweep import run_sweep\n", "engine/labs/cost/report.py",
     "engine.labs.cost.sweep"),
])
def test_relative_imports_are_resolved(text, as_file, expected):
    assert expected in imported_modules(REPO / as_file, text)


def test_the_contract_catches_the_engine_package_and_relative_upward_imports():
    core = REPO / "engine/core/config.py"
    assert "engine" in imported_modules(core, "from engine import simulate\n")
    upward = imported_modules(core, "from ..models import rnn\n")
    assert layer_of("engine.models.rnn") in {layer_of(name) for name in upward}
    assert layer_of("engine.models") not in ENGINE_LAYERS["engine.core"]
