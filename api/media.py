"""415 for a body in a media type the endpoint does not read.

webargs reads a JSON body only when it is sent as JSON; anything else looks like an
empty body and would answer 422 "Missing data" field by field, which hides the real
mistake. An endpoint that takes a JSON body answers 415 to another media type instead.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request

from api.errors import Problem

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _body_locations(view: Any, method: str) -> set[str]:
    """Where the view's documented arguments come from (``json``, ``files``, ``query``...)."""
    handler = getattr(getattr(view, "view_class", None), method.lower(), None)
    doc = getattr(handler, "_apidoc", {}).get("arguments", {})
    return {str(p.get("in")) for p in doc.get("parameters", []) if isinstance(p, dict)}


def _check_media_type() -> None:
    if request.method not in _BODY_METHODS or request.endpoint is None:
        return
    if not request.content_type and not request.content_length:
        return  # no body: the schema names what is missing
    view = current_app.view_functions.get(request.endpoint)
    if "json" in _body_locations(view, request.method) and not request.is_json:
        raise Problem(
            415, f"Send the body as application/json (got {request.mimetype or 'no media type'})."
        )


def init_app(app: Flask) -> None:
    app.before_request(_check_media_type)
