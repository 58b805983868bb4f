"""Which travel matrix a station's plans use: its road network when one is imported.

A county whose OpenStreetMap extract was imported (``docs/road_network.md``) gets road
times from pgRouting, with great-circle estimates for the points the network cannot
reach; a county without one gets great-circle times. The choice is made per station,
because one database can hold a network that covers only some counties.
"""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from geo.travel.cache import CachedProvider, MatrixCache
from geo.travel.fallback import WithFallback
from geo.travel.greatcircle import GreatCircleProvider
from geo.travel.network import RoadNetwork
from geo.travel.pgrouting import PgRoutingProvider
from geo.travel.protocol import LonLat, MatrixProvider

TravelSetting = Literal["auto", "roads", "greatcircle"]
"""``auto``: roads where the network reaches the station, else great-circle; ``roads``:
roads or an error; ``greatcircle``: never touch the network."""
TRAVEL_SETTINGS: tuple[str, ...] = get_args(TravelSetting)
#: How far from the station the nearest road vertex may be for the network to count.
COVERAGE_M = 5_000.0


class NoRoadNetwork(LookupError):
    """``roads`` was required but no imported network reaches the station."""


def network_reaches(conn: Connection | Session, network: RoadNetwork, near: LonLat) -> bool:
    """Whether the network's tables exist and have a vertex within ``COVERAGE_M`` of ``near``."""
    found = conn.execute(
        text("SELECT to_regclass(:ways) IS NOT NULL AND to_regclass(:vertices) IS NOT NULL"),
        {
            "ways": f'"{network.schema}"."{network.ways}"',
            "vertices": f'"{network.schema}"."{network.vertices}"',
        },
    ).scalar_one()
    if not found:
        return False
    # Identifiers come from a validated RoadNetwork; the point is bound. KNN on the
    # vertices' GiST index, then the true distance of that one vertex.
    nearest_m = conn.execute(
        text(
            "WITH p AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g) "
            "SELECT ST_Distance(v.the_geom::geography, p.g::geography) "
            f'FROM "{network.schema}"."{network.vertices}" v, p '
            "ORDER BY v.the_geom <-> p.g LIMIT 1"
        ),
        {"lon": float(near[0]), "lat": float(near[1])},
    ).scalar_one_or_none()
    return nearest_m is not None and float(nearest_m) <= COVERAGE_M


def choose_provider(
    conn: Connection | Session,
    setting: str,
    near: LonLat,
    *,
    network: RoadNetwork | None = None,
    cache: MatrixCache | None = None,
) -> MatrixProvider:
    """The travel provider for plans around ``near`` (a station's depot).

    Parameters
    ----------
    conn
        Connection or session the road provider queries with (it lives as long as it).
    setting
        One of ``TRAVEL_SETTINGS``.
    near
        ``(lon, lat)`` the network must reach.
    network
        Where the road tables are (default ``RoadNetwork()``: schema ``roads``).
    cache
        A process-wide cache for road matrices (great-circle ones are cheaper to compute).

    Raises
    ------
    ValueError
        If ``setting`` is unknown.
    NoRoadNetwork
        If ``setting`` is ``roads`` and no network reaches ``near``.
    """
    if setting not in TRAVEL_SETTINGS:
        raise ValueError(f"travel setting must be one of {list(TRAVEL_SETTINGS)}, not {setting!r}")
    fallback = GreatCircleProvider()
    if setting == "greatcircle":
        return fallback
    network = network if network is not None else RoadNetwork()
    if not network_reaches(conn, network, near):
        if setting == "roads":
            raise NoRoadNetwork(
                f"no road network in {network.schema}.{network.ways} within "
                f"{COVERAGE_M / 1000:g} km of the station; import one (docs/road_network.md)"
            )
        return fallback
    provider: MatrixProvider = WithFallback(PgRoutingProvider(conn, network), fallback)
    return CachedProvider(provider, cache) if cache is not None else provider
