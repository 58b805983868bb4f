"""GET /api/accounts/{id}/card: an account's card for the dashboard's map (one request)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import Schema, fields

from api.accounts.schemas import AccountSchema
from api.accounts.views import blp
from api.auth.jwt import current_scope
from api.db import get_read_session
from api.money.schemas import AmountDueSchema, AsOfArgs, due_body
from api.schema_fields import Day, Instant
from core.accounts import card as service


class CardVisitSchema(Schema):
    id = fields.UUID()
    at = Instant()
    outcome = fields.String()
    collector_id = fields.Integer()
    collector_name = fields.String()
    promise_date = Day(allow_none=True)
    fix_distance_m = fields.Float(
        allow_none=True, metadata={"description": "The visit's GNSS fix to the mapped point"}
    )


class LocationCheckSchema(Schema):
    """What the field says of the account's point (``account.location_quality`` says how
    the point was obtained: exact or approximate)."""

    status = fields.String(
        metadata={
            "enum": [s.value for s in service.LocationStatus],
            "description": "From the visits' fixes and wrong_location reports "
            f"(confirmed: a fix within {service.CONFIRM_RADIUS_M:.0f} m)",
        }
    )
    fixes = fields.Integer()
    nearest_fix_m = fields.Float(allow_none=True)


class ResponsibleSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()


class AccountCardSchema(Schema):
    account = fields.Nested(AccountSchema)
    due = fields.Nested(AmountDueSchema)
    responsible = fields.Nested(ResponsibleSchema, allow_none=True)
    visits = fields.List(fields.Nested(CardVisitSchema))
    location_check = fields.Nested(LocationCheckSchema)


@blp.route("/accounts/<int:account_id>/card")
class AccountCard(MethodView):
    @jwt_required()
    @blp.arguments(AsOfArgs, location="query")
    @blp.response(200, AccountCardSchema)
    def get(self, args: dict[str, Any], account_id: int) -> Any:
        """An account's card: amount due with its bills, the last visits, the responsible
        collector and the location's quality (404 outside the caller's scope)."""
        session = get_read_session()
        card = service.account_card(session, current_scope(), account_id, args.get("as_of"))
        account = card.account  # its arrears read with it
        responsible = None
        if account.responsible_id is not None:
            responsible = {"id": account.responsible_id, "display_name": card.responsible_name}
        return {
            "account": account,
            "due": due_body(card.due),
            "responsible": responsible,
            "visits": [asdict(v) for v in card.visits],
            "location_check": asdict(card.location),
        }
