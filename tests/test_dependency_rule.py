"""The dependency rule between packages, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "routing": {
        "flask",
        "flask_smorest",
        "sqlalchemy",
        "geoalchemy2",
        "marshmallow",
        "geo",
        "api",
        "numpy",
    },
    "geo": {"flask", "flask_smorest", "flask_jwt_extended", "api", "routing", "celery"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_respect_the_dependency_rule(package):
    """routing imports neither Flask nor the database layer; geo does not import Flask or api."""
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & FORBIDDEN[package])
        for p in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_ortools_is_imported_only_in_its_private_module():
    """OR-Tools is imported in the private routing/_ortools*.py modules and nowhere else."""
    users = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "routing").rglob("*.py")
        if "ortools" in _imports(p)
    }
    assert all(u.startswith("routing/_ortools") for u in users), users
