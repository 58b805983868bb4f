"""Travel-time and distance matrices between WGS-84 points, per travel mode.

The planner depends only on ``MatrixProvider``. Typical wiring (in ``api/``)::

    cache = MatrixCache()                                    # once per process
    provider = CachedProvider(
        WithFallback(PgRoutingProvider(session, RoadNetwork()), GreatCircleProvider()),
        cache,
    )
    matrix = provider.matrix(points, TravelMode.MOTORBIKE)  # TravelMatrix
"""

from geo.travel.cache import CachedProvider, MatrixCache, cache_key
from geo.travel.choose import (
    TRAVEL_SETTINGS,
    NoRoadNetwork,
    TravelSetting,
    choose_provider,
    network_reaches,
)
from geo.travel.fallback import WithFallback, fill_missing
from geo.travel.greatcircle import (
    DEFAULT_ACCESS_M,
    DEFAULT_DETOUR_FACTOR,
    DEFAULT_DETOUR_HALF_M,
    DEFAULT_SHORT_DETOUR_FACTOR,
    EARTH_RADIUS_M,
    GreatCircleProvider,
    haversine_m,
    road_metres,
)
from geo.travel.network import Method, RoadNetwork
from geo.travel.pgr import edges_sql, vertex_matrix
from geo.travel.pgrouting import PgRoutingProvider, snap_points
from geo.travel.profiles import DEFAULT_PROFILES, ModeProfile
from geo.travel.protocol import (
    LonLat,
    MatrixProvider,
    PartialMatrix,
    PartialMatrixProvider,
    TravelMatrix,
)

__all__ = [
    "TRAVEL_SETTINGS",
    "NoRoadNetwork",
    "TravelSetting",
    "choose_provider",
    "network_reaches",
    "DEFAULT_ACCESS_M",
    "DEFAULT_DETOUR_FACTOR",
    "DEFAULT_DETOUR_HALF_M",
    "DEFAULT_SHORT_DETOUR_FACTOR",
    "DEFAULT_PROFILES",
    "EARTH_RADIUS_M",
    "CachedProvider",
    "GreatCircleProvider",
    "LonLat",
    "MatrixCache",
    "MatrixProvider",
    "Method",
    "ModeProfile",
    "PartialMatrix",
    "PartialMatrixProvider",
    "PgRoutingProvider",
    "RoadNetwork",
    "TravelMatrix",
    "WithFallback",
    "cache_key",
    "edges_sql",
    "fill_missing",
    "haversine_m",
    "road_metres",
    "snap_points",
    "vertex_matrix",
]
