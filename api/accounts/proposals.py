"""Proposed locations of approximate accounts (a visit's first GPS fix) and the
supervisor's decisions: list, accept (the account moves, the old point kept), reject."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from geoalchemy2.shape import to_shape
from marshmallow import Schema, fields

from api.accounts.views import blp
from api.auth.jwt import current_scope
from api.db import get_session
from api.schema_fields import UtcDateTime
from core.accounts import proposals
from core.models import Account
from core.scope import find_scoped


def _lonlat(p: tuple[float, float]) -> dict[str, float]:
    return {"lon": p[0], "lat": p[1]}


class LocationProposalSchema(Schema):
    visit_id = fields.UUID()
    account_id = fields.Integer()
    account_number = fields.String()
    village = fields.String()
    collector_id = fields.Integer()
    visited_at = UtcDateTime()
    current = fields.Function(
        lambda p: _lonlat(p.current), metadata={"description": "The village's point (WGS-84)"}
    )
    proposed = fields.Function(
        lambda p: _lonlat(p.proposed), metadata={"description": "The visit's fix (WGS-84)"}
    )
    accuracy_m = fields.Float(allow_none=True)
    distance_m = fields.Float(metadata={"description": "From the current point to the fix"})


def _point(geom: Any) -> dict[str, float]:
    p = to_shape(geom)
    return {"lon": p.x, "lat": p.y}


class LocationDecisionSchema(Schema):
    id = fields.Integer()
    account_id = fields.Integer()
    visit_id = fields.UUID()
    decision = fields.String(attribute="decision.value")
    from_location = fields.Function(lambda d: _point(d.from_location))
    from_quality = fields.String(attribute="from_quality.value")
    to_location = fields.Function(lambda d: _point(d.to_location))
    fix_accuracy_m = fields.Float(allow_none=True)
    decided_by = fields.Integer()
    decided_at = UtcDateTime()


@blp.route("/location-proposals")
class LocationProposals(MethodView):
    @jwt_required()
    @blp.response(200, LocationProposalSchema(many=True))
    def get(self) -> Any:
        """Pending proposed locations in scope: per approximate account, the first undecided
        visit fix no worse than 100 m (staff only)."""
        return proposals.pending(get_session(), current_scope())


def _decide(visit_id: uuid.UUID, accept: bool) -> Any:
    session = get_session()
    decision = proposals.decide(session, current_scope(), visit_id, accept)
    session.commit()
    return decision


@blp.route("/location-proposals/<uuid:visit_id>/accept")
class AcceptProposal(MethodView):
    @jwt_required()
    @blp.response(200, LocationDecisionSchema)
    def post(self, visit_id: uuid.UUID) -> Any:
        """Accept: the account moves to the fix, exact (its territory follows the point);
        the old point is kept in the location history. 409 when already decided."""
        return _decide(visit_id, True)


@blp.route("/location-proposals/<uuid:visit_id>/reject")
class RejectProposal(MethodView):
    @jwt_required()
    @blp.response(200, LocationDecisionSchema)
    def post(self, visit_id: uuid.UUID) -> Any:
        """Reject: the account stays; the next visit's fix becomes the proposal."""
        return _decide(visit_id, False)


@blp.route("/accounts/<int(max=2147483647):account_id>/location-history")
class LocationHistory(MethodView):
    @jwt_required()
    @blp.response(200, LocationDecisionSchema(many=True))
    def get(self, account_id: int) -> Any:
        """The account's location decisions (accepted moves with the old point), oldest first."""
        session = get_session()
        account = find_scoped(session, Account, account_id, current_scope(), "account")
        return proposals.history(session, account.id)
