"""CORS for dashboards hosted elsewhere: only the origins in ``CORS_ORIGINS`` (none by default).

An allowed origin gets ``Access-Control-Allow-Origin`` echoed (with ``Vary: Origin``), the
headers a dashboard reads (ETag, Location, pagination) exposed, and preflights answered
with the methods and request headers the API uses. Credentials (cookies) are never
allowed across origins: a dashboard elsewhere sends its bearer token. Any other origin
gets no CORS header at all, so browsers keep their same-origin rule.

Set it with ``ARREARS_CORS_ORIGINS='["https://gis.example.org"]'`` (a JSON list of exact
origins: scheme, host and port).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key"
EXPOSE_HEADERS = "ETag, Location, X-Pagination, Retry-After"
MAX_AGE_S = "600"


def _allowed(origin: str | None) -> bool:
    if not origin:
        return False
    origins = current_app.config.get("CORS_ORIGINS") or ()
    if isinstance(origins, str):  # a single origin given as plain text
        origins = (origins,)
    return origin in origins


def _add_headers(response: Response) -> Response:
    origin = request.headers.get("Origin")
    response.vary.add("Origin")
    if not _allowed(origin):
        return response
    response.headers["Access-Control-Allow-Origin"] = str(origin)
    response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response.headers["Access-Control-Max-Age"] = MAX_AGE_S
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
