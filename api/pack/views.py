"""The collector's offline route pack, with a content hash and ETag for flaky networks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, current_app, json, request
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import RAISE

from api.auth.jwt import current_scope
from api.db import get_session
from api.pack.schemas import PackArgs, PackSchema
from api.smorest import Blueprint
from core.errors import NotFound
from core.field.pack import build_pack, content_hash, station_today
from geo.coords import CoordSystem

blp = Blueprint("pack", __name__, url_prefix="/api", description="The collector's offline pack")


@blp.route("/me/route/pack")
class MyRoutePack(MethodView):
    @jwt_required()
    @blp.arguments(PackArgs, location="query", unknown=RAISE)
    @blp.response(200, PackSchema)
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    def get(self, args: dict[str, Any]) -> Any:
        """My published route of the day for offline use: stops, money, maps and links."""
        scope = current_scope()
        session = get_session()
        default_tz = current_app.config["DEFAULT_TIMEZONE"]
        day = args["date"] or station_today(session, scope, default_tz)
        pack = build_pack(session, scope, day, CoordSystem(args["crs"]), dt.datetime.now(dt.UTC))
        if pack is None:
            raise NotFound("published route for this day")
        body = PackSchema().dump(pack)
        digest = content_hash(body)
        body["content_hash"] = f"sha256:{digest}"
        etag = f'"{digest}"'
        if request.if_none_match.contains_weak(digest) or request.if_none_match.star_tag:
            resp = Response(status=304)
        else:
            resp = Response(json.dumps(body), status=200, mimetype="application/json")
        resp.headers["ETag"] = etag
        resp.headers["Cache-Control"] = "private, no-cache"
        return resp
