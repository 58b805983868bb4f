"""What a supervisor needs to act on an account left off the routes: its territory, its
responsible collector and the collectors who may visit it (a route edit names one)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Account, territory_collector

__all__ = ["actionable"]


def actionable(session: Session, entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``entries`` (``{account_id, reason, ...}``) with the account's ``territory_id``,
    ``responsible_id`` and ``collector_ids`` (its territory's collectors) as they are now."""
    out = [dict(e) for e in entries]
    ids = sorted({int(e["account_id"]) for e in out})
    if not ids:
        return out
    accounts = {
        a: (t, r)
        for a, t, r in session.execute(
            select(Account.id, Account.territory_id, Account.responsible_id).where(
                Account.id.in_(ids)
            )
        )
    }
    territories = sorted({t for t, _ in accounts.values() if t is not None})
    collectors: dict[int, list[int]] = defaultdict(list)
    if territories:
        rows = session.execute(
            select(territory_collector.c.territory_id, territory_collector.c.user_id)
            .where(territory_collector.c.territory_id.in_(territories))
            .order_by(territory_collector.c.user_id)
        )
        for territory_id, user_id in rows:
            collectors[territory_id].append(user_id)
    for e in out:
        territory_id, responsible_id = accounts.get(int(e["account_id"]), (None, None))
        e["territory_id"] = territory_id
        e["responsible_id"] = responsible_id
        e["collector_ids"] = collectors.get(territory_id, []) if territory_id else []
    return out
