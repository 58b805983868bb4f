"""The county's ranking of stations and collectors: see docs/kpis.md, "Ranking"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from core.kpis.base import Period, Subject
from core.kpis.collection import Collection, collection
from core.kpis.field_work import FieldWork, field_work
from core.kpis.promises import Promises, promises_by_collector
from core.scope import Scope


@dataclass(frozen=True)
class Ranked:
    rank: int
    key: int | None
    collection: Collection


@dataclass(frozen=True)
class CollectorResult:
    """What a station can use for results-linked pay (收费与工资挂钩)."""

    collector_id: int
    collection: Collection
    field: FieldWork
    promises: Promises


def _ranked(lines: list[Collection]) -> list[Ranked]:
    def order(c: Collection) -> tuple[Decimal, Decimal]:
        return (-(c.rate if c.rate is not None else Decimal(-1)), -c.collected)

    ordered = sorted((c for c in lines if c.key is not None), key=order)
    return [Ranked(i + 1, c.key, c) for i, c in enumerate(ordered)]


def ranking(
    session: Session, scope: Scope, subject: Subject, period: Period, by: str
) -> list[Ranked]:
    """Stations (``by="station"``) or collectors (``"collector"``) by collection rate,
    highest first (ties: more collected first); only what the scope sees."""
    return _ranked(collection(session, scope, subject, period, group=by))


def collector_results(
    session: Session, scope: Scope, subject: Subject, period: Period, as_of: dt.date
) -> list[CollectorResult]:
    """Per collector: collection on the accounts they answer for, field work, promises."""
    lines = {c.key: c for c in collection(session, scope, subject, period, group="collector")}
    work = {f.collector_id: f for f in field_work(session, scope, subject, period)}
    kept = promises_by_collector(session, scope, subject, period, as_of)
    return [
        CollectorResult(
            cid,
            lines.get(cid, Collection(cid)),
            work.get(cid, FieldWork(cid)),
            kept.get(cid, Promises()),
        )
        for cid in sorted(k for k in set(lines) | set(work) if k is not None)
    ]
