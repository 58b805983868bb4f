"""The dependency rule between packages, checked on the source and on what imports load.

routing <- geo <- core <- demo, api. Only ``api`` speaks HTTP (Flask, marshmallow,
flask-smorest, flask-jwt-extended, Celery); everything else is usable from a worker, a
bench or a test without loading any of it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The HTTP stack: frameworks only the ``api`` package may import.
HTTP = {"flask", "flask_smorest", "flask_jwt_extended", "marshmallow", "celery", "werkzeug"}
FORBIDDEN = {
    "routing": HTTP | {"sqlalchemy", "geoalchemy2", "geo", "core", "demo", "api", "numpy"},
    "geo": HTTP | {"api", "core", "demo", "routing"},
    "core": HTTP | {"api", "demo"},
    "demo": HTTP | {"api"},
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


def _has_code(path: Path) -> bool:
    """More than a docstring and ``from __future__`` imports."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return any(
        not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
        and not (isinstance(n, ast.ImportFrom) and n.module == "__future__")
        for n in body
    )


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_respect_the_dependency_rule(package):
    """routing is pure; geo sits below the core; core and demo import no HTTP framework."""
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & FORBIDDEN[package])
        for p in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_every_api_module_is_http():
    """api/ holds only the HTTP surface: each module with code imports the HTTP stack."""
    idle = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "api").rglob("*.py")
        if _has_code(p) and not _imports(p) & HTTP
    ]
    assert idle == []


@pytest.mark.parametrize("package", ["core", "demo", "geo", "routing"])
def test_importing_a_package_loads_no_http_framework(package):
    """Every module of the package imported together loads none of the HTTP stack."""
    script = (
        "import importlib, pkgutil, sys\n"
        f"import {package}\n"
        f"for m in pkgutil.walk_packages({package}.__path__, '{package}.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        f"print(sorted({{n.split('.')[0] for n in sys.modules}} & set({sorted(HTTP)!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_ortools_is_imported_only_in_its_private_module():
    """OR-Tools is imported in the private routing/_ortools*.py modules and nowhere else."""
    users = {
        str(p.relative_to(ROOT))
        for pkg in ("routing", "geo", "core", "demo", "api")
        for p in (ROOT / pkg).rglob("*.py")
        if "ortools" in _imports(p)
    }
    assert all(u.startswith("routing/_ortools") for u in users), users
