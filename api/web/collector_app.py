"""The collector's offline app at ``/app/`` (sources in ``web/app/``)."""

from __future__ import annotations

from flask import Blueprint

from api.web.pages import page_blueprint

#: The npm libraries the app loads, each from its folder under the page's node_modules.
VENDOR = {"maplibre-gl": "maplibre-gl/dist"}

blp: Blueprint = page_blueprint("app", "/app", vendor=VENDOR)
