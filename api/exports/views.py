"""GET /api/exports/{table}?format=csv|xlsx: the tables behind the supervisor's numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import fields, validate

from api.auth.jwt import current_scope
from api.db import get_session
from api.exports.stream import XLSX, csv_response, xlsx_response
from api.kpis.schemas import KpiArgs
from api.kpis.views import as_of, names, period_of, subject_of
from api.ratelimit import rate_limit
from api.smorest import Blueprint
from core.errors import NotFound
from core.field.visit_log import VisitFilter, all_visits
from core.kpis.ageing import ageing
from core.kpis.arrears_list import COLUMNS, arrears_rows
from core.kpis.base import Subject
from core.kpis.cash_statement import cash_statement
from core.kpis.collection import collection
from core.kpis.field_work import field_work
from core.kpis.month_end import month_end
from core.kpis.ranking import collector_results, ranking
from core.kpis.stubborn import stubborn_cases
from core.models import User
from core.scope import Scope, get_scoped

blp = Blueprint("exports", __name__, url_prefix="/api/exports", description="Exports")

Table = tuple[Sequence[str], Iterable[Sequence[Any]]]


class ExportArgs(KpiArgs):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))
    group = fields.String(load_default=None, validate=validate.OneOf(["station", "collector"]))
    by = fields.String(load_default="collector", validate=validate.OneOf(["station", "collector"]))


def _arrears(session: Any, scope: Scope, subject: Subject, args: dict[str, Any]) -> Table:
    return COLUMNS, arrears_rows(session, scope, subject, as_of(args))


def _visits(session: Any, scope: Scope, subject: Subject, args: dict[str, Any]) -> Table:
    period = period_of(args)
    rows = all_visits(
        session,
        scope,
        VisitFilter(
            period.start,
            period.end,
            station_id=subject.station_id,
            collector_id=subject.collector_id,
            village=subject.village,
        ),
    )
    header = (
        "id", "device_time", "local_date", "collector_id", "collector", "account_id",
        "account_number", "account_name", "village", "outcome", "promise_date", "fix_lon",
        "fix_lat", "distance_m", "flagged", "plan_id", "route_id", "stop_seq", "notes",
    )  # fmt: skip
    return header, (
        (
            str(r.id),
            r.device_time,
            r.local_date,
            r.collector_id,
            r.collector_name,
            r.account_id,
            r.account_number,
            r.account_name,
            r.village,
            r.outcome,
            r.promise_date,
            r.fix_lon,
            r.fix_lat,
            None if r.distance_m is None else round(r.distance_m, 1),
            r.flagged,
            r.plan_id,
            r.route_id,
            r.stop_seq,
            r.notes,
        )  # fmt: skip
        for r in rows
    )


def _cash(session: Any, scope: Scope, subject: Subject, args: dict[str, Any]) -> Table:
    collector_id = subject.collector_id or (scope.user_id if scope.is_collector else None)
    user = get_scoped(session, User, collector_id, scope) if collector_id else None
    if user is None or not user.stations:
        raise NotFound("collector")
    zone = min(user.stations, key=lambda s: s.id).timezone
    lines = cash_statement(session, user.id, zone, period_of(args))
    header = ("at", "kind", "account_number", "account_name", "receipt_no", "amount", "balance")
    return header, (
        (x.at, x.kind, x.account_number, x.account_name, x.receipt_no, x.amount, x.balance)
        for x in lines
    )


_COLLECTION = ("opening", "collected", "billed", "collected_new", "late_fees")


def _collection(session: Any, scope: Scope, subject: Subject, args: dict[str, Any]) -> Table:
    lines = collection(session, scope, subject, period_of(args), args["group"])
    channels = sorted({c for line in lines for c in line.by_channel})
    header = ("key", *_COLLECTION, "rate", "rate_with_new", *(f"channel_{c}" for c in channels))
    return header, (
        (
            line.key,
            *(getattr(line, f) for f in _COLLECTION),
            line.rate,
            line.rate_with_new,
            *(line.by_channel.get(c) for c in channels),
        )  # fmt: skip
        for line in lines
    )


def _month_end(session: Any, scope: Scope, subject: Subject, args: dict[str, Any]) -> Table:
    me = month_end(session, scope, subject, as_of(args))
    return ("day", "owing", "accounts"), ((d.day, d.owing, d.accounts) for d in me.trend)


def _ageing(session: Any, scope: Scope, subject: Subject, args: dict[str, Any]) -> Table:
    aged = ageing(session, scope, subject, as_of(args))
    rows = [("bucket", k, c.yuan, c.accounts) for k, c in aged.buckets.items()]
    rows += [("stage", k, c.yuan, c.accounts) for k, c in aged.stages.items()]
    return ("table", "name", "yuan", "accounts"), rows


_WORK = (
    "visits", "days", "visits_per_day", "nobody_home", "nobody_home_rate", "refused", "yuan",
    "yuan_per_day", "km", "yuan_per_km", "planned_stops", "visited_stops", "stops_visited_share",
)  # fmt: skip


def _field_work(session: Any, scope: Scope, subject: Subject, args: dict[str, Any]) -> Table:
    rows = field_work(session, scope, subject, period_of(args))
    label = names(session, scope, "collector", [f.collector_id for f in rows])
    return ("collector_id", "collector", *_WORK), (
        (f.collector_id, label.get(f.collector_id, ""), *(getattr(f, k) for k in _WORK))
        for f in rows
    )


def _stubborn(session: Any, scope: Scope, subject: Subject, args: dict[str, Any]) -> Table:
    cases = stubborn_cases(session, scope, subject, as_of(args))
    header = ("account_id", "number", "name", "village", "owing", "refusals", "broken_promises",
              "visits", "last_visit")  # fmt: skip
    return header, (
        (
            c.account_id,
            c.number,
            c.name,
            c.village,
            c.owing,
            c.refusals,
            c.broken_promises,
            len(c.history),
            c.history[-1].device_time if c.history else None,
        )  # fmt: skip
        for c in cases
    )


def _ranking(session: Any, scope: Scope, subject: Subject, args: dict[str, Any]) -> Table:
    ranked = ranking(session, scope, subject, period_of(args), args["by"])
    label = names(session, scope, args["by"], [r.key for r in ranked])
    header = ("rank", "key", "name", "opening", "collected", "rate", "rate_with_new")
    return header, (
        (
            r.rank,
            r.key,
            label.get(r.key or 0, ""),
            r.collection.opening,
            r.collection.collected,
            r.collection.rate,
            r.collection.rate_with_new,
        )  # fmt: skip
        for r in ranked
    )


def _results(session: Any, scope: Scope, subject: Subject, args: dict[str, Any]) -> Table:
    results = collector_results(session, scope, subject, period_of(args), as_of(args))
    label = names(session, scope, "collector", [r.collector_id for r in results])
    header = ("collector_id", "collector", "opening", "collected", "rate", "rate_with_new",
              "visits", "days", "yuan_at_door", "promises_due", "promises_kept",
              "promises_broken")  # fmt: skip
    return header, (
        (
            r.collector_id,
            label.get(r.collector_id, ""),
            r.collection.opening,
            r.collection.collected,
            r.collection.rate,
            r.collection.rate_with_new,
            r.field.visits,
            r.field.days,
            r.field.yuan,
            r.promises.due,
            r.promises.kept,
            r.promises.broken,
        )  # fmt: skip
        for r in results
    )


TABLES: dict[str, Callable[[Any, Scope, Subject, dict[str, Any]], Table]] = {
    "arrears": _arrears,
    "visits": _visits,
    "cash-statement": _cash,
    "collection": _collection,
    "month-end": _month_end,
    "ageing": _ageing,
    "field-work": _field_work,
    "stubborn": _stubborn,
    "ranking": _ranking,
    "collector-results": _results,
}


@blp.route("/<string(maxlength=32):table>")
class Export(MethodView):
    @jwt_required()
    @blp.arguments(ExportArgs, location="query")
    @blp.response(
        200,
        description="The table as CSV (UTF-8 with BOM) or .xlsx",
        content_type="text/csv",
    )
    @blp.alt_response(200, description="The .xlsx workbook", content_type=XLSX, success=True)
    def get(self, args: dict[str, Any], table: str) -> Any:
        """One table as CSV or .xlsx, streamed: arrears, visits, cash-statement, collection,
        month-end, ageing, field-work, stubborn, ranking or collector-results.

        Scoped as the JSON answers (collectors: their own). A text cell starting with =, +,
        -, @ is neutralised (CSV: a leading apostrophe; .xlsx: a string cell, never a
        formula).
        """
        build = TABLES.get(table)
        if build is None:
            raise NotFound("export table")
        session, scope = get_session(), current_scope()
        rate_limit("export", scope.user_id)
        subject = subject_of(session, scope, args)
        header, lazy = build(session, scope, subject, args)
        # Read inside the request (its transaction); the file itself is then streamed.
        rows = list(lazy)
        stamp = dt.date.today().isoformat()
        name = f"{table}-{stamp}"
        if args["format"] == "xlsx":
            return xlsx_response(name, header, rows)
        return csv_response(name, header, rows)
