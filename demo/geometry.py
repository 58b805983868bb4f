"""Where things are in the demo county: villages along winding valleys, and territories."""

from __future__ import annotations

import math
import random

from geoalchemy2.elements import WKTElement
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Station, Territory, User
from demo import places


def point(lon: float, lat: float) -> WKTElement:
    return WKTElement(f"POINT({lon:.7f} {lat:.7f})", srid=4326)


def offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    return (
        lon + east_m / (111_320.0 * math.cos(math.radians(lat))),
        lat + north_m / 110_540.0,
    )


def villages(rng: random.Random, depot: tuple[float, float], n: int) -> list[dict[str, object]]:
    """Villages strung along 4-6 winding valleys that leave the station's town."""
    valleys = rng.randint(4, 6)
    names: set[str] = set()
    out: list[dict[str, object]] = []
    base_heading = rng.uniform(0, 2 * math.pi)
    for v in range(valleys):
        heading = base_heading + v * 2 * math.pi / valleys + rng.uniform(-0.3, 0.3)
        lon, lat = depot
        count = n // valleys + (1 if v < n % valleys else 0)
        for k in range(count):
            heading += rng.uniform(-0.45, 0.45)  # the valley winds
            step = rng.uniform(1200, 3200)
            lon, lat = offset(lon, lat, step * math.sin(heading), step * math.cos(heading))
            while True:
                name = rng.choice(places.VILLAGE_HEADS) + rng.choice(places.VILLAGE_FEATURES) + "村"
                if name not in names:
                    names.add(name)
                    break
            out.append(
                {
                    "name": name,
                    "lon": lon,
                    "lat": lat,
                    "valley": v,
                    "order": k,
                    "weight": rng.lognormvariate(0, 0.5),
                }
            )
    return out


def territories(
    session: Session,
    station: Station,
    villages: list[dict[str, object]],
    collectors: list[User],
    depot: tuple[float, float],
) -> None:
    """Voronoi cells of the villages, merged per collector and clipped to the service area."""
    mp = "MULTIPOINT(" + ",".join(f"({v['lon']} {v['lat']})" for v in villages) + ")"
    pts = func.ST_GeomFromText(mp, 4326)
    area = func.ST_Buffer(func.ST_Envelope(pts), 0.03)
    cells = select(func.ST_Dump(func.ST_VoronoiPolygons(pts, 0.0, area)).geom.label("g")).subquery()
    by_collector: dict[int, list[str]] = {}
    for v in villages:
        cell = session.execute(
            select(func.ST_AsText(func.ST_Intersection(func.ST_SetSRID(cells.c.g, 4326), area)))
            .where(
                func.ST_Covers(
                    cells.c.g, func.ST_SetSRID(func.ST_MakePoint(v["lon"], v["lat"]), 4326)
                )
            )
            .limit(1)
        ).scalar_one()
        by_collector.setdefault(int(v["territory"]), []).append(cell)  # type: ignore[call-overload]
    for c_idx, wkts in sorted(by_collector.items()):
        union = func.ST_Multi(
            func.ST_UnaryUnion(
                func.ST_GeomFromText("GEOMETRYCOLLECTION(" + ",".join(wkts) + ")", 4326)
            )
        )
        session.add(
            Territory(
                station_id=station.id,
                name=f"{station.name}第{c_idx + 1}片区",
                area=session.execute(select(func.ST_AsEWKT(union))).scalar_one(),
                collectors=[collectors[c_idx]],
            )
        )
    session.flush()
