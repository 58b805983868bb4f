"""GET /api/stations/{id}/progress: the day's published plan, route by route."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_jwt_extended import jwt_required

from api.auth.jwt import current_scope
from api.db import get_session
from api.progress.schemas import ProgressArgs, ProgressSchema
from api.route_cache import RouteCache
from api.smorest import Blueprint
from core.field.progress import day_progress, progress_day, progress_version

#: How long a progress body is kept (a new digest, or this, ends it).
PROGRESS_TTL_S = 5 * 60

blp = Blueprint("progress", __name__, url_prefix="/api", description="Today's progress")


@blp.route("/stations/<int(max=2147483647):station_id>/progress")
class StationProgress(MethodView):
    @jwt_required()
    @blp.arguments(ProgressArgs, location="query")
    @blp.response(200, ProgressSchema)
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    def get(self, args: dict[str, Any], station_id: int) -> Any:
        """How each route of the day's published plan is going (collectors: their own).

        Per route: stops done and left, outcomes, money by channel, the last known
        position and the delay against the planned times. Poll with If-None-Match: the
        ETag is a digest of what the answer is made of (one indexed statement), so an
        unchanged answer is a 304 without being built, and a poll without the ETag gets
        the body built for it, from Redis.
        """
        session, scope = get_session(), current_scope()
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        station, day, plan = progress_day(session, scope, station_id, args["date"], now)
        etag = progress_version(session, scope, station, day, plan, now)
        headers = {"ETag": f'"{etag}"', "Cache-Control": "private, no-cache"}
        if request.if_none_match.contains_weak(etag):
            return Response(status=304, headers=headers)
        # Equal digests give equal answers (the digest names the caller too): the body
        # built for this one serves every poll until it moves.
        cache: RouteCache = current_app.extensions["route_cache"]
        key = f"progress:{etag}"
        body = cache.get_body(key)
        if body is None:
            answer = ProgressSchema().dump(day_progress(session, scope, station, day, plan, now))
            body = current_app.json.dumps(answer, separators=(",", ":")).encode()
            cache.put_body(key, body, PROGRESS_TTL_S)
        return Response(body, status=200, mimetype="application/json", headers=headers)
