"""Serving a web page from ``web/<page>/``: its own sources, and the npm libraries it names.

A page folder holds ``index.html``, its ES modules and styles, ``package.json`` and the
lockfile; ``scripts/setup.sh`` runs ``npm ci`` there. Only the library folders a page
lists in ``vendor`` are served (under ``<prefix>/vendor/<name>/``), never the rest of
``node_modules``. No build step; nothing third-party is committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory

WEB = Path(__file__).resolve().parents[2] / "web"


def page_blueprint(
    name: str, url_prefix: str, *, vendor: Mapping[str, str], root: Path | None = None
) -> Blueprint:
    """A blueprint serving the page ``web/<name>`` at ``url_prefix``.

    Parameters
    ----------
    vendor
        Library name -> its folder under the page's ``node_modules`` (e.g.
        ``{"maplibre-gl": "maplibre-gl/dist"}``), served at ``vendor/<name>/``.
    root
        The page's folder (default ``web/<name>``).
    """
    folder = root or WEB / name
    bp = Blueprint(f"page_{name}", __name__, url_prefix=url_prefix)

    @bp.get("/")
    def index() -> Response:
        return _fresh(send_from_directory(folder, "index.html"))

    @bp.get("/vendor/<lib>/<path:path>")
    def library(lib: str, path: str) -> Response:
        if lib not in vendor:
            abort(404)
        return send_from_directory(folder / "node_modules" / vendor[lib], path)

    @bp.get("/<path:path>")
    def source(path: str) -> Response:
        if path.split("/", 1)[0] in ("node_modules", "package.json", "package-lock.json"):
            abort(404)
        return _fresh(send_from_directory(folder, path))

    return bp


def _fresh(response: Response) -> Response:
    # Revalidate the page's own files on every load (ETag): a deploy is seen at once,
    # and the collector's app caches them itself for offline use.
    response.headers["Cache-Control"] = "no-cache"
    return response

