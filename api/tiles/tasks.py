"""The tile invalidation log kept small: celery beat prunes ``map_change`` every hour.

Every write to a station's map data logs a row (migration 0016); only each station's
newest settled row and the unsettled ones make a tile's version, so the rest are
deleted (:func:`core.maps.version.prune`) without changing any ETag.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from flask import current_app

from core.maps.version import prune

PRUNE = "tiles.prune_map_changes"
PRUNE_EVERY_S = 3600.0


@shared_task(name=PRUNE)
def prune_map_changes() -> dict[str, int]:
    """Delete the map change log rows no tile version reads any more."""
    with current_app.extensions["db_sessionmaker"]() as session:
        deleted = prune(session)
        session.commit()
    return {"deleted": deleted}


def init_beat(celery: Any) -> None:
    """Schedule the pruning on celery beat (``make run``'s worker embeds beat)."""
    schedule = dict(celery.conf.beat_schedule or {})
    schedule.setdefault("tiles-prune-map-changes", {"task": PRUNE, "schedule": PRUNE_EVERY_S})
    celery.conf.beat_schedule = schedule
