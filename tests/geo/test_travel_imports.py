"""The dependency rule for geo.travel: no Flask, no routing, no engine at import time."""

from __future__ import annotations

import json
import subprocess
import sys

import geo.travel


def test_importing_geo_travel_pulls_in_neither_flask_nor_routing() -> None:
    """A fresh interpreter importing geo.travel has no flask or routing module loaded."""
    code = (
        "import json, sys, geo.travel; "
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('flask', 'routing', 'api'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_every_public_name_is_exported_explicitly() -> None:
    """geo.travel.__all__ lists exactly the names it re-exports, all importable."""
    assert all(hasattr(geo.travel, name) for name in geo.travel.__all__)
    assert len(set(geo.travel.__all__)) == len(geo.travel.__all__)
