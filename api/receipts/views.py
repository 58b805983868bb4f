"""Receipt blocks: a collector's phone fetches numbers to print on offline cash receipts."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import RAISE, Schema, fields
from sqlalchemy import select

from api.auth.jwt import current_scope
from api.db import get_session
from api.schema_fields import Text
from api.smorest import Blueprint
from core.errors import NotAllowed
from core.models import Station
from core.money import receipt_blocks as service
from core.scope import require_collector

blp = Blueprint(
    "receipts",
    __name__,
    url_prefix="/api/me/receipt-blocks",
    description="Receipt numbers for offline doors: blocks of a device's series",
)


class DeviceSchema(Schema):
    class Meta:
        unknown = RAISE

    device_id = Text(required=True, max_length=64, validate=lambda s: len(s.strip()) > 0)


class BlockSchema(Schema):
    series_id = fields.Integer()
    station_code = fields.String()
    device_id = fields.String()
    prefix = fields.String(metadata={"description": "Receipt number = prefix + 6-digit counter"})
    first = fields.Integer()
    last = fields.Integer()
    first_no = fields.Method("_first_no")
    last_no = fields.Method("_last_no")

    def _first_no(self, block: service.Block) -> str:
        return service.receipt_number(block.prefix, block.first)

    def _last_no(self, block: service.Block) -> str:
        return service.receipt_number(block.prefix, block.last)


class BlockListSchema(Schema):
    blocks = fields.List(fields.Nested(BlockSchema))


@blp.route("")
class ReceiptBlocks(MethodView):
    @jwt_required()
    @blp.arguments(DeviceSchema, location="query")
    @blp.response(200, BlockListSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The receipt blocks issued to my device, oldest first."""
        collector = require_collector(current_scope(), "Receipt blocks are for collectors.")
        return {"blocks": service.blocks_of(get_session(), collector, args["device_id"])}

    @jwt_required()
    @blp.arguments(DeviceSchema)
    @blp.response(201, BlockSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Issue my device the next block of receipt numbers (station code, device, counter)."""
        scope = current_scope()
        collector = require_collector(scope, "Receipt blocks are for collectors.")
        session = get_session()
        station = session.scalars(
            select(Station).where(Station.id.in_(scope.station_ids)).order_by(Station.id)
        ).first()
        if station is None:
            raise NotAllowed("A collector without a station has no receipt series.")
        block = service.issue_block(session, station, collector, body["device_id"])
        session.commit()
        return block
