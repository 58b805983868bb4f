"""Security headers on every response (issue 16, item 4).

- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``, and ``frame-ancestors 'none'``
  (plus ``X-Frame-Options: DENY`` for old browsers): no page of ours in anyone's frame.
- A Content-Security-Policy the app's own pages live with: scripts and style sheets only
  from the app itself (no inline script; inline styles, which the pages and the map
  library set, are allowed: they cannot run code), web workers and the map library's
  workers from ``blob:`` (maplibre-gl), images also from ``data:`` and ``blob:``, fetches
  only to the app's origin. The interactive API docs (Swagger UI, served only when enabled) need an
  inline bootstrap script: their page alone gets it.
- ``Strict-Transport-Security`` when the request came over TLS (directly, or through a
  trusted proxy: ``PROXY_FIX_X_FOR``).
- ``Cache-Control: no-store`` on anything that carries tokens or passwords (``/api/auth/``,
  one-time password tokens): no shared or browser cache keeps them.
"""

from __future__ import annotations

from flask import Flask, Response, request

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # style attributes (the pages, maplibre)
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "child-src 'self' blob:",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
#: Swagger UI's page bootstraps with an inline script.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
HSTS = "max-age=31536000; includeSubDomains"
NO_STORE_PATHS = ("/api/auth/",)
NO_STORE_SUFFIXES = ("/password-token",)


def _add(response: Response) -> Response:
    h = response.headers
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "no-referrer")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    docs = request.path.rstrip("/") == "/api/docs"
    h.setdefault("Content-Security-Policy", DOCS_CSP if docs else CSP)
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", HSTS)
    path = request.path
    if path.startswith(NO_STORE_PATHS) or path.endswith(NO_STORE_SUFFIXES):
        h["Cache-Control"] = "no-store"
        h["Pragma"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add)
