"""The lines stored with a plan's routes: along the roads where a network is imported.

Where the station's road network is imported (``roads`` schema, reaching the depot: the
same test as the travel matrix's ``auto``), each route's waypoints (start, stops, end)
become the road path between them (:func:`geo.travel.paths.road_path`); elsewhere the
straight line is kept. Each route's kind (``road``, ``partly_road``, ``straight``) goes
into the plan's summary (``route_geometry``, by collector id), so tiles and pages draw
the stored line and say what it is, never recomputing it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.planning.candidates import station_info
from core.planning.draft import PlanDraft
from geo.travel import RoadNetwork
from geo.travel.choose import network_reaches
from geo.travel.paths import road_path
from geo.travel.protocol import LonLat

ROADS = RoadNetwork(schema="roads")
ON_ROADS = frozenset({"road", "partly_road"})


def route_lines(
    session: Session, draft: PlanDraft
) -> tuple[list[tuple[LonLat, ...]], dict[str, str]]:
    """Each route's line, and its kind by collector id (``route_geometry``)."""
    _, depot, _ = station_info(session, draft.station_id)
    reach = any(not r.on_roads and len(r.path) >= 2 for r in draft.routes) and network_reaches(
        session, ROADS, depot
    )
    lines: list[tuple[LonLat, ...]] = []
    kinds: dict[str, str] = {}
    for r in draft.routes:
        key = str(r.collector_id)
        if r.on_roads:
            lines.append(r.path)
            kinds[key] = r.on_roads
        elif reach and len(r.path) >= 2:
            found = road_path(session, ROADS, list(r.path))
            lines.append(found.coords)
            kinds[key] = found.kind
        else:
            lines.append(r.path)
            kinds[key] = "straight"
    return lines, kinds
