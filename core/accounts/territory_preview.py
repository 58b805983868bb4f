"""What a territory edit would do, before it is saved: the overlaps with the station's
other territories and the accounts that change territory (so change hands between the
collectors covering them). The edit runs in a savepoint that is rolled back. No Flask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.areas import Overlap, overlaps
from core.accounts.territories import update_territory
from core.models import Account, Territory
from core.scope import Scope

__all__ = ["HandOver", "TerritoryPreview", "preview_territory_edit"]


@dataclass(frozen=True)
class HandOver:
    """An account whose covering territory changes with the edit."""

    account_id: int
    number: str
    name: str
    from_territory_id: int | None
    to_territory_id: int | None
    from_collector_ids: list[int]
    to_collector_ids: list[int]


@dataclass(frozen=True)
class TerritoryPreview:
    overlaps: list[Overlap]
    changes: list[HandOver]


def _covering(session: Session, station_id: int) -> dict[int, int | None]:
    rows = session.execute(
        select(Account.id, Account.territory_id).where(Account.station_id == station_id)
    )
    return {a: t for a, t in rows}


def _staff(session: Session, station_id: int) -> dict[int, list[int]]:
    territories = session.scalars(select(Territory).where(Territory.station_id == station_id))
    return {t.id: sorted(u.id for u in t.collectors) for t in territories}


def preview_territory_edit(
    session: Session, scope: Scope, territory: Territory, data: dict[str, Any]
) -> TerritoryPreview:
    """The territory edit ``data`` (as for :func:`update_territory`) applied and rolled back:
    its overlaps and the accounts changing territory, with the collectors before and after."""
    station_id = territory.station_id
    before, staff_before = _covering(session, station_id), _staff(session, station_id)
    savepoint = session.begin_nested()
    try:
        update_territory(session, scope, territory, data)
        found = overlaps(session, territory)
        after, staff_after = _covering(session, station_id), _staff(session, station_id)
        moved = [a for a, t in after.items() if before.get(a) != t]
        labels = {
            a: (number, name)
            for a, number, name in session.execute(
                select(Account.id, Account.number, Account.name).where(Account.id.in_(moved))
            )
        }
    finally:
        savepoint.rollback()
    session.expire(territory)
    changes = [
        HandOver(
            account_id=a,
            number=labels[a][0],
            name=labels[a][1],
            from_territory_id=before.get(a),
            to_territory_id=after[a],
            from_collector_ids=staff_before.get(before.get(a) or 0, []),
            to_collector_ids=staff_after.get(after[a] or 0, []),
        )
        for a in sorted(moved)
    ]
    return TerritoryPreview(overlaps=found, changes=changes)
