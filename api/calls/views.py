"""Calls ahead over HTTP: record an outcome (collectors), read a plan's call list and its
provisional week (supervisors and admins)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from sqlalchemy import select

from api.auth.jwt import current_scope
from api.calls.schemas import CallResultSchema, CallSchema, PlanCallsSchema, PlanWeekSchema
from api.db import get_session
from api.smorest import Blueprint
from core.field import calls as service
from core.models import Call, Plan
from core.scope import find_scoped, require_collector, require_staff

blp = Blueprint("calls", __name__, url_prefix="/api", description="Calls ahead (电话预约)")


@blp.route("/calls")
class Calls(MethodView):
    @jwt_required()
    @blp.arguments(CallSchema)
    @blp.response(201, CallResultSchema)
    @blp.alt_response(200, schema=CallResultSchema, description="A replay of a stored call")
    def post(self, body: dict[str, Any]) -> Any:
        """Record a call's outcome (exactly once: a replay answers 200 with status replayed)."""
        collector = require_collector(current_scope(), "Only collectors record calls.")
        session = get_session()
        status = service.record_call(
            session,
            collector,
            service.CallInput(
                id=body["id"],
                account_id=body["account_id"],
                for_date=body["for_date"],
                outcome=body["outcome"],
                called_at=body["called_at"],
                home_from=body["home_from"],
                home_until=body["home_until"],
                device_id=body["device_id"],
            ),
        )
        session.commit()
        code = 201 if status is service.CallStatus.CREATED else 200
        return {"id": str(body["id"]), "status": status.value}, code


def _plan(plan_id: int) -> Plan:
    scope = current_scope()
    require_staff(scope, "Only supervisors and admins read a plan's calls and week.")
    return find_scoped(get_session(), Plan, plan_id, scope, "plan")


@blp.route("/plans/<int(max=2147483647):plan_id>/calls")
class PlanCalls(MethodView):
    @jwt_required()
    @blp.response(200, PlanCallsSchema)
    def get(self, plan_id: int) -> Any:
        """Whom each collector should call about the plan's day first (by the expected gain
        from knowing), with the outcomes recorded so far."""
        plan = _plan(plan_id)
        calls: dict[str, Any] = plan.summary.get("calls") or {}  # type: ignore[assignment]
        listed: dict[str, list[dict[str, Any]]] = calls.get("by_collector", {})
        ids = [int(e["account_id"]) for rows in listed.values() for e in rows]
        heard = dict(
            get_session()
            .execute(
                select(Call.account_id, Call.outcome)
                .where(Call.account_id.in_(ids), Call.for_date == plan.plan_date)
                .order_by(Call.called_at)
            )
            .all()
        )
        return {
            "plan_id": plan.id,
            "date": plan.plan_date,
            "by_collector": [
                {
                    "collector_id": int(c),
                    "calls": [
                        {
                            "account_id": e["account_id"],
                            "gain": f"{int(e['gain_fen']) / 100:.2f}",
                            "p_pay": e["p_pay"],
                            "p_home": e["p_home"],
                            "ask_from": e.get("ask_from"),
                            "ask_until": e.get("ask_until"),
                            "outcome": None
                            if e["account_id"] not in heard
                            else heard[e["account_id"]].value,
                        }
                        for e in rows
                    ],
                }
                for c, rows in sorted(listed.items(), key=lambda x: int(x[0]))
            ],
        }


@blp.route("/plans/<int(max=2147483647):plan_id>/week")
class PlanWeek(MethodView):
    @jwt_required()
    @blp.response(200, PlanWeekSchema)
    def get(self, plan_id: int) -> Any:
        """The provisional week behind the plan: the rolling horizon's next working days, per
        collector the accounts booked and what they are expected to bring."""
        plan = _plan(plan_id)
        horizon: dict[str, Any] = plan.summary.get("horizon") or {}  # type: ignore[assignment]
        return {
            "plan_id": plan.id,
            "date": plan.plan_date,
            "working_days_left": horizon.get("working_days_left", []),
            "week": horizon.get("week", []),
        }
