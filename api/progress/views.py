"""GET /api/stations/{id}/progress: the day's published plan, route by route."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required

from api.auth.jwt import current_scope
from api.db import get_session
from api.progress.schemas import ProgressArgs, ProgressSchema
from api.smorest import Blueprint
from core.field.progress import station_progress

blp = Blueprint("progress", __name__, url_prefix="/api", description="Today's progress")


@blp.route("/stations/<int(max=2147483647):station_id>/progress")
class StationProgress(MethodView):
    @jwt_required()
    @blp.etag
    @blp.arguments(ProgressArgs, location="query")
    @blp.response(200, ProgressSchema)
    def get(self, args: dict[str, Any], station_id: int) -> Any:
        """How each route of the day's published plan is going (collectors: their own).

        Per route: stops done and left, outcomes, money by channel, the last known
        position and the delay against the planned times. Poll with If-None-Match: an
        unchanged answer is a 304.
        """
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        return station_progress(get_session(), current_scope(), station_id, args["date"], now)
