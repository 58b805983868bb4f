"""The OpenAPI document is valid OpenAPI 3."""

from __future__ import annotations

from typing import Any

from openapi_spec_validator import validate


def _parameters(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        p
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict)
        for p in op.get("parameters", [])
    ]


def test_the_openapi_document_validates(client: Any) -> None:
    """openapi-spec-validator accepts /api/openapi.json; no OpenAPI 2 ``in: formData``."""
    spec = client.get("/api/openapi.json").json
    assert not [p for p in _parameters(spec) if p.get("in") == "formData"]
    validate(spec)
