"""The collector's offline route pack, with a content hash and ETag for flaky networks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import RAISE

from api.auth.jwt import current_scope
from api.db import get_session
from api.pack.schemas import PackArgs, PackSchema
from api.route_cache import cached_document, caller_today, day_document_guess, read_with_token
from api.smorest import Blueprint
from core.errors import NotFound
from core.field.pack import build_pack, content_hash
from geo.coords import CoordSystem

blp = Blueprint("pack", __name__, url_prefix="/api", description="The collector's offline pack")


@blp.route("/me/route/pack")
class MyRoutePack(MethodView):
    @read_with_token(day_document_guess("pack", "crs", CoordSystem.WGS84.value))
    @jwt_required()
    @blp.arguments(PackArgs, location="query", unknown=RAISE)
    @blp.response(200, PackSchema)
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    def get(self, args: dict[str, Any]) -> Any:
        """My published route of the day for offline use: stops, money, maps and links."""
        scope = current_scope()
        default_tz = current_app.config["DEFAULT_TIMEZONE"]
        day = args["date"] or caller_today(get_session(), scope, default_tz)
        crs = CoordSystem(args["crs"])

        def build() -> Any:  # the session only when built: a cached answer runs no SQL
            pack = build_pack(get_session(), scope, day, crs, dt.datetime.now(dt.UTC))
            if pack is None:
                raise NotFound("published route for this day")
            body = PackSchema().dump(pack)
            body["content_hash"] = f"sha256:{content_hash(body)}"
            return body

        def etag(body: Any) -> str:
            return str(body["content_hash"]).removeprefix("sha256:")

        return cached_document("pack", scope, day, crs.value, build, etag)
