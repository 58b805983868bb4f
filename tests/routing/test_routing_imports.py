"""The dependency rule of ``routing``: standard library and OR-Tools, OR-Tools in one module."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "routing"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_routing_imports_only_stdlib_ortools_and_itself() -> None:
    """No Flask, SQLAlchemy, numpy, geo or api anywhere in ``routing``."""
    allowed = set(sys.stdlib_module_names) | {"routing", "ortools", "__future__"}
    for path in PACKAGE.glob("*.py"):
        assert _imports(path) <= allowed, (path.name, _imports(path) - allowed)


def test_ortools_is_confined_to_its_private_modules() -> None:
    """Only the private ``routing/_ortools*.py`` modules import OR-Tools."""
    users = {p.name for p in PACKAGE.glob("*.py") if "ortools" in _imports(p)}
    assert users
    assert all(name.startswith("_ortools") for name in users), users
