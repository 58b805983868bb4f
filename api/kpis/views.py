"""GET /api/kpis/*: the supervisor's numbers, scoped (definitions: docs/kpis.md)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.jwt import current_scope
from api.db import get_session
from api.kpis import schemas as s
from api.pagination import next_page, sorted_cursor
from api.smorest import Blueprint
from core.errors import NotFound
from core.kpis.ageing import Ageing, ageing_change
from core.kpis.base import Period, Subject
from core.kpis.collection import collection
from core.kpis.field_work import field_work
from core.kpis.month_end import month_end
from core.kpis.promises import promises
from core.kpis.ranking import collector_results, ranking
from core.kpis.stubborn import stubborn_cases
from core.models import Station, User
from core.scope import Scope, get_scoped, restrict

DOC = Path(__file__).resolve().parents[2] / "docs" / "kpis.md"


@cache
def sections() -> dict[str, str]:
    """``{"Collection rate": "...", ...}``: each ``## `` section of docs/kpis.md."""
    try:
        text = DOC.read_text(encoding="utf-8")
    except OSError:  # an install without the docs: no descriptions, same API
        return {}
    out: dict[str, str] = {}
    for block in re.split(r"^## ", text, flags=re.M)[1:]:
        title, _, body = block.partition("\n")
        out[title.strip()] = " ".join(body.split())
    return out


def definition(title: str) -> str:
    """The section ``title`` of docs/kpis.md (the OpenAPI description), then the common rules."""
    s = sections()
    return f"{s.get(title, '')}\n\nCommon rules: {s.get('Common rules', '')}".strip()


blp = Blueprint("kpis", __name__, url_prefix="/api/kpis", description="The supervisor's numbers")


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])).date()


def subject_of(session: Session, scope: Scope, args: dict[str, Any]) -> Subject:
    """The subject asked for; a station or collector out of scope is 404, like a missing one."""
    if (
        args["station_id"] is not None
        and get_scoped(session, Station, args["station_id"], scope) is None
    ):
        raise NotFound("station")
    if (
        args["collector_id"] is not None
        and get_scoped(session, User, args["collector_id"], scope) is None
    ):
        raise NotFound("collector")
    return Subject(args["station_id"], args["collector_id"], args["village"])


def period_of(args: dict[str, Any]) -> Period:
    if args["month"]:
        year, month = (int(x) for x in args["month"].split("-"))
        return Period.month(year, month)
    if args["date_from"] is None and args["date_to"] is None:
        day = today()
        return Period.month(day.year, day.month)
    end = args["date_to"] or today()
    return Period(args["date_from"] or end.replace(day=1), end)


def as_of(args: dict[str, Any]) -> dt.date:
    day: dt.date = args["as_of"] or today()
    return day


def _context(args: dict[str, Any]) -> tuple[Session, Scope, Subject]:
    session, scope = get_session(), current_scope()
    return session, scope, subject_of(session, scope, args)


def names(session: Session, scope: Scope, by: str, keys: list[Any]) -> dict[int, str]:
    """Display names of the stations or collectors ``keys`` that the scope sees."""
    model: Any = Station if by == "station" else User
    label = Station.name if by == "station" else User.display_name
    rows = session.execute(
        restrict(select(model.id, label).where(model.id.in_([k for k in keys if k])), model, scope)
    )
    return {k: n for k, n in rows}


@blp.route("/collection")
class CollectionRate(MethodView):
    @jwt_required()
    @blp.arguments(s.CollectionArgs, location="query")
    @blp.response(200, s.KpiCollectionAnswerSchema)
    @blp.doc(description=definition("Collection rate"))
    def get(self, args: dict[str, Any]) -> Any:
        """Collection rate (电费回收率) over a period, overall and by channel."""
        session, scope, subject = _context(args)
        period = period_of(args)
        lines = collection(session, scope, subject, period, args["group"])
        return {"period": period, "group": args["group"], "lines": lines}


@blp.route("/month-end")
class MonthEndZero(MethodView):
    @jwt_required()
    @blp.arguments(s.KpiArgs, location="query")
    @blp.response(200, s.KpiMonthEndSchema)
    @blp.doc(description=definition("Month-end zero"))
    def get(self, args: dict[str, Any]) -> Any:
        """Month-end zero (月末清零): owed, days left, per day needed, trend, last month."""
        session, scope, subject = _context(args)
        return month_end(session, scope, subject, as_of(args))


@blp.route("/promises")
class PromiseCounts(MethodView):
    @jwt_required()
    @blp.arguments(s.KpiArgs, location="query")
    @blp.response(200, s.KpiPromisesSchema)
    @blp.doc(description=definition("Promises"))
    def get(self, args: dict[str, Any]) -> Any:
        """Promises to pay: made, falling due, kept by the promised day, broken, pending."""
        session, scope, subject = _context(args)
        period, day = period_of(args), as_of(args)
        return {
            "period": period,
            "as_of": day,
            **asdict(promises(session, scope, subject, period, day)),
        }


@blp.route("/field-work")
class FieldWorkFigures(MethodView):
    @jwt_required()
    @blp.arguments(s.KpiArgs, location="query")
    @blp.response(200, s.KpiFieldWorkAnswerSchema)
    @blp.doc(description=definition("Field work"))
    def get(self, args: dict[str, Any]) -> Any:
        """Field work per collector: visits per day, nobody home, refusals, yuan per day and km."""
        session, scope, subject = _context(args)
        period = period_of(args)
        return {"period": period, "collectors": field_work(session, scope, subject, period)}


def _change(now: Ageing, before: Ageing) -> dict[str, Any]:
    def diff(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        return {
            k: {"yuan": a[k].yuan - b[k].yuan, "accounts": a[k].accounts - b[k].accounts} for k in a
        }

    return {"buckets": diff(now.buckets, before.buckets), "stages": diff(now.stages, before.stages)}


@blp.route("/ageing")
class AgeingTable(MethodView):
    @jwt_required()
    @blp.arguments(s.KpiArgs, location="query")
    @blp.response(200, s.KpiAgeingAnswerSchema)
    @blp.doc(description=definition("Ageing"))
    def get(self, args: dict[str, Any]) -> Any:
        """Ageing: yuan and accounts by age bucket and escalation stage, and since the 1st."""
        session, scope, subject = _context(args)
        change = ageing_change(session, scope, subject, as_of(args))
        return {
            "now": change.now,
            "month_start": change.month_start,
            "change": _change(change.now, change.month_start),
        }


@blp.route("/stubborn")
class StubbornCases(MethodView):
    @jwt_required()
    @blp.arguments(s.StubbornArgs, location="query")
    @blp.response(200, s.KpiStubbornSchema(many=True))
    @blp.doc(description=definition("Stubborn cases"))
    def get(self, args: dict[str, Any]) -> Any:
        """Stubborn cases (钉子户): repeated refusals or broken promises, with their history.

        Paged, most owed first: the next page's cursor is in ``X-Next-Cursor``."""
        session, scope, subject = _context(args)
        after = sorted_cursor(args, Decimal)
        limit = args["limit"]
        cases = stubborn_cases(session, scope, subject, as_of(args), after=after, limit=limit + 1)
        if len(cases) > limit:
            next_page(f"{cases[limit - 1].owing},{cases[limit - 1].account_id}")
        return cases[:limit]


@blp.route("/ranking")
class Ranking(MethodView):
    @jwt_required()
    @blp.arguments(s.RankingArgs, location="query")
    @blp.response(200, s.KpiRankingAnswerSchema)
    @blp.doc(description=definition("Ranking"))
    def get(self, args: dict[str, Any]) -> Any:
        """The ranking of stations or collectors by collection rate."""
        session, scope, subject = _context(args)
        period = period_of(args)
        ranked = ranking(session, scope, subject, period, args["by"])
        label = names(session, scope, args["by"], [r.key for r in ranked])
        rows = [
            {
                "rank": r.rank,
                "key": r.key,
                "name": label.get(r.key or 0, ""),
                "collection": r.collection,
            }
            for r in ranked
        ]
        return {"period": period, "by": args["by"], "ranking": rows}


@blp.route("/collector-results")
class CollectorResults(MethodView):
    @jwt_required()
    @blp.arguments(s.KpiArgs, location="query")
    @blp.response(200, s.KpiCollectorResultsAnswerSchema)
    @blp.doc(description=definition("Collector results"))
    def get(self, args: dict[str, Any]) -> Any:
        """Per-collector result figures for results-linked pay."""
        session, scope, subject = _context(args)
        period = period_of(args)
        results = collector_results(session, scope, subject, period, as_of(args))
        label = names(session, scope, "collector", [r.collector_id for r in results])
        rows = [
            {
                "collector_id": r.collector_id,
                "name": label.get(r.collector_id, ""),
                "collection": r.collection,
                "field": r.field,
                "promises": asdict(r.promises),
            }
            for r in results
        ]
        return {"period": period, "collectors": rows}
