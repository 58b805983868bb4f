"""The station supervisor's page at ``/dashboard/`` (sources in ``web/dashboard/``)."""

from __future__ import annotations

from flask import Blueprint

from api.web.pages import page_blueprint

#: The npm libraries the page loads, each from its folder under the page's node_modules.
VENDOR = {"maplibre-gl": "maplibre-gl/dist"}

blp: Blueprint = page_blueprint("dashboard", "/dashboard", vendor=VENDOR)
