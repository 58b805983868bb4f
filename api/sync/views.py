"""Delta sync for the collector's phone."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import Schema, fields, validate

from api.auth.jwt import current_scope
from api.db import get_session
from api.smorest import Blueprint
from core.field import sync as service
from core.scope import require_collector

blp = Blueprint("sync", __name__, url_prefix="/api/sync", description="Offline sync for phones")


class SyncArgs(Schema):
    cursor = fields.String(
        load_default=None,
        validate=validate.Length(max=64),
        metadata={"description": "From the previous answer; omit or 0 for a full resync"},
    )
    limit = fields.Integer(load_default=200, validate=validate.Range(1, service.MAX_PAGE))


class ChangeSchema(Schema):
    entity = fields.String()
    id = fields.String()
    op = fields.String(metadata={"enum": ["upsert", "delete"]})
    data = fields.Dict(allow_none=True)


class SyncPageSchema(Schema):
    cursor = fields.String()
    more = fields.Boolean()
    full = fields.Boolean(metadata={"description": "True: replace local data with this snapshot"})
    changes = fields.List(fields.Nested(ChangeSchema))


@blp.route("")
class Sync(MethodView):
    @jwt_required()
    @blp.arguments(SyncArgs, location="query")
    @blp.response(200, SyncPageSchema)
    @blp.alt_response(410, description="Cursor too old: resync from cursor 0")
    def get(self, args: dict[str, Any]) -> Any:
        """Changes in my scope since my cursor; tombstones for accounts that left it."""
        collector = require_collector(current_scope(), "Sync is for collectors' phones.")
        tz = ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])
        page = service.changes_since(
            get_session(), collector, args["cursor"], dt.datetime.now(tz).date(), args["limit"]
        )
        return {
            "cursor": str(page.cursor),
            "more": page.more,
            "full": page.full,
            "changes": [
                {"entity": c.entity, "id": c.id, "op": c.op, "data": c.data} for c in page.changes
            ],
        }
