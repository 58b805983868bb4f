"""The map version changes with every committed write, whatever the commit order."""

from __future__ import annotations

import random

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.maps.version import map_version
from core.models import Role
from core.scope import Scope

_LOG = text("INSERT INTO map_change (station_id) VALUES (:s)")


def test_a_transaction_committing_after_a_later_one_changes_the_version(engine):
    """An older transaction that commits last still changes the version (no lost update)."""
    station = random.randint(10**8, 2 * 10**8)  # map_change has no foreign key: a free id
    scope = Scope(user_id=0, role=Role.SUPERVISOR, station_ids=frozenset({station}))
    older, newer = engine.connect(), engine.connect()
    try:
        older.begin()
        older.execute(_LOG, {"s": station})  # takes its xid first...
        with newer.begin():
            newer.execute(_LOG, {"s": station})  # ...but this one commits first
        with Session(engine) as s:
            before = map_version(s, scope)
        older.commit()
        with Session(engine) as s:
            after = map_version(s, scope)
            unchanged = map_version(s, scope)
        assert before != after
        assert after == unchanged
    finally:
        older.close()
        newer.close()
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM map_change WHERE station_id = :s"), {"s": station})


def test_another_station_change_keeps_the_version(engine):
    """A change logged for another station leaves the scope's version as it was."""
    mine, theirs = random.randint(10**8, 2 * 10**8), random.randint(2 * 10**8, 3 * 10**8)
    scope = Scope(user_id=0, role=Role.SUPERVISOR, station_ids=frozenset({mine}))
    try:
        with Session(engine) as s:
            before = map_version(s, scope)
        with engine.begin() as conn:
            conn.execute(_LOG, {"s": theirs})
        with Session(engine) as s:
            assert map_version(s, scope) == before
        with engine.begin() as conn:
            conn.execute(_LOG, {"s": mine})
        with Session(engine) as s:
            assert map_version(s, scope) != before
    finally:
        with engine.begin() as conn:
            drop = text("DELETE FROM map_change WHERE station_id IN (:a, :b)")
            conn.execute(drop, {"a": mine, "b": theirs})


def test_pruning_keeps_the_version_and_a_later_change_still_moves_it(engine, app):
    """Pruning deletes a station's older settled changes, not its newest: the version
    stays; the next write changes it; celery beat runs the pruning."""
    from api.tiles import tasks
    from core.maps.version import prune

    assert app.extensions["celery"].conf.beat_schedule["tiles-prune-map-changes"]["task"] == (
        tasks.PRUNE
    )
    station = random.randint(3 * 10**8, 4 * 10**8)
    scope = Scope(user_id=0, role=Role.SUPERVISOR, station_ids=frozenset({station}))
    count = text("SELECT count(*) FROM map_change WHERE station_id = :s")
    # Changes of long-ended transactions (xids 1-3): settled whatever else runs on the
    # cluster (a transaction open anywhere holds the snapshot's xmin back).
    old = text("INSERT INTO map_change (station_id, xid) VALUES (:s, :x)")
    try:
        with engine.begin() as conn:
            for xid in (1, 2, 3):
                conn.execute(old, {"s": station, "x": xid})
        with Session(engine) as s:
            before = map_version(s, scope)
            admin_before = map_version(s, Scope(0, Role.ADMIN, frozenset()))
        with Session(engine) as s:
            assert prune(s) >= 2
            s.commit()
        with Session(engine) as s:
            assert s.scalar(count, {"s": station}) == 1
            assert map_version(s, scope) == before
            assert map_version(s, Scope(0, Role.ADMIN, frozenset())) == admin_before
        with engine.begin() as conn:
            conn.execute(_LOG, {"s": station})
        with Session(engine) as s:
            assert map_version(s, scope) != before
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM map_change WHERE station_id = :s"), {"s": station})
