"""Workload per collector and balanced-territory suggestions (supervisor tools)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import RAISE

from api.auth.jwt import current_scope
from api.db import get_session
from api.ratelimit import rate_limit
from api.smorest import Blueprint
from api.workload.schemas import BalanceArgs, CollectorWorkloadSchema, ProposalSchema, WorkloadArgs
from core.accounts import workload as service
from core.accounts.customers import require_manager, scoped_station

blp = Blueprint("workload", __name__, url_prefix="/api/workload", description="Workload")


@blp.route("")
class Workload(MethodView):
    @jwt_required()
    @blp.arguments(WorkloadArgs, location="query", unknown=RAISE)
    @blp.response(200, CollectorWorkloadSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Accounts, arrears, estimated visit hours and spread per collector of a station."""
        session = get_session()
        scope = current_scope()
        station = scoped_station(session, scope, args["station_id"])
        return [asdict(w) for w in service.workloads(session, scope, station.id, args["as_of"])]


@blp.route("/balance.geojson")
class Balance(MethodView):
    @jwt_required()
    @blp.arguments(BalanceArgs, location="query", unknown=RAISE)
    @blp.response(200, ProposalSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Suggest K contiguous territories with balanced arrears-weighted visit hours (GeoJSON)."""
        session = get_session()
        scope = current_scope()
        require_manager(scope)
        rate_limit("export", scope.user_id)
        station = scoped_station(session, scope, args["station_id"])
        proposal = service.propose_territories(session, scope, station.id, args["k"], args["as_of"])
        return service.proposal_geojson(proposal)
