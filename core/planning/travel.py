"""The travel matrix of a station's plans: one choice for plan jobs and plan checks."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.planning.candidates import station_info
from geo.travel import (
    GreatCircleProvider,
    MatrixCache,
    MatrixProvider,
    NoRoadNetwork,
    choose_provider,
)

#: Road matrices per worker process (great-circle ones are cheaper to recompute than to
#: cache). Clear it after re-importing a road network.
ROAD_MATRICES = MatrixCache(max_entries=16)


def station_travel(session: Session, station_id: int, setting: str) -> MatrixProvider:
    """The provider for ``station_id``'s plans under the ``TRAVEL_MATRIX`` ``setting``.

    Raises
    ------
    LookupError
        If the station does not exist, or ``setting`` is ``roads`` and no imported road
        network reaches it (``geo.travel.NoRoadNetwork``).
    """
    _, depot, _ = station_info(session, station_id)
    return choose_provider(session, setting, depot, cache=ROAD_MATRICES)


def check_travel(session: Session, station_id: int, setting: str) -> MatrixProvider:
    """The plan jobs' travel times for checking a plan; great-circle if a required road
    network is gone (the check then warns that the plan was made with other times)."""
    try:
        return station_travel(session, station_id, setting)
    except NoRoadNetwork:
        return GreatCircleProvider()
