"""A fast great-circle (haversine) travel-matrix estimate with a mountain detour factor.

Road distance is estimated as great-circle distance times ``detour_factor``. Circuity
studies give about 1.2-1.3 for dense lowland networks; mountain valleys with hairpins
and dead-end side valleys are worse (1.4-1.6 is the usual range). The default is 1.6:
``bench/matrix.py`` measured a median road/great-circle ratio of 1.53-1.70 on the
Andorra network (Pyrenees; 1.6-1.7 for motorbike and car, legs over 1 km; means 1.7-1.9
and higher for legs under 5 km), see ``docs/road_network.md``. Recalibrate with the
county's own network when one is imported. Time is that distance at the mode's road
speed plus the mode's per-leg overhead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from geo.models import TravelMode
from geo.travel.profiles import DEFAULT_PROFILES, ModeProfile, describe_profiles, profile_for
from geo.travel.protocol import FloatMatrix, LonLat, TravelMatrix, as_lonlat_array

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres."""

DEFAULT_DETOUR_FACTOR = 1.6


def haversine_m(lonlat: FloatMatrix, other: FloatMatrix | None = None) -> FloatMatrix:
    """Great-circle distances in metres between two sets of points (vectorised).

    Parameters
    ----------
    lonlat
        ``(n, 2)`` array of ``(lon, lat)`` degrees.
    other
        ``(m, 2)`` array; defaults to ``lonlat`` itself.

    Returns
    -------
    numpy.ndarray
        ``(n, m)`` float64 distances on a sphere of radius ``EARTH_RADIUS_M``.
    """
    b = lonlat if other is None else other
    lon1, lat1 = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
    lon2, lat2 = np.radians(b[:, 0]), np.radians(b[:, 1])
    # a = sin²(Δlat/2) + cos(lat1)·cos(lat2)·sin²(Δlon/2), computed in place to keep
    # 2,000 x 2,000 well under a second.
    a = np.subtract.outer(lat1, lat2)
    a *= 0.5
    np.sin(a, out=a)
    np.square(a, out=a)
    s = np.subtract.outer(lon1, lon2)
    s *= 0.5
    np.sin(s, out=s)
    np.square(s, out=s)
    s *= np.cos(lat1)[:, None]
    s *= np.cos(lat2)[None, :]
    a += s
    np.clip(a, 0.0, 1.0, out=a)
    np.sqrt(a, out=a)
    np.arcsin(a, out=a)
    a *= 2.0 * EARTH_RADIUS_M
    return a


def estimate(
    distance_m: FloatMatrix, profile: ModeProfile, detour_factor: float
) -> tuple[FloatMatrix, FloatMatrix]:
    """Turn great-circle metres into estimated road seconds and metres.

    Parameters
    ----------
    distance_m
        Great-circle distances, metres.
    profile
        The mode's speeds and overhead.
    detour_factor
        Road metres per great-circle metre.

    Returns
    -------
    tuple of numpy.ndarray
        ``(seconds, metres)``; the overhead is added only where the distance is positive,
        so the diagonal and co-located points cost nothing.
    """
    metres = distance_m * detour_factor
    seconds = metres / profile.speed_mps
    seconds += np.where(distance_m > 0.0, profile.overhead_s, 0.0)
    return seconds, metres


class GreatCircleProvider:
    """Haversine distance x detour factor at per-mode speeds; never fails, no database.

    Parameters
    ----------
    detour_factor
        Road metres per great-circle metre, between 1.0 and 3.0 (default 1.6).
    profiles
        Per-mode speeds and overheads (default ``DEFAULT_PROFILES``).
    """

    def __init__(
        self,
        detour_factor: float = DEFAULT_DETOUR_FACTOR,
        profiles: Mapping[TravelMode, ModeProfile] = DEFAULT_PROFILES,
    ) -> None:
        if not 1.0 <= detour_factor <= 3.0:
            raise ValueError("detour_factor must be between 1.0 and 3.0")
        self.detour_factor = float(detour_factor)
        self.profiles = profiles

    @property
    def key(self) -> str:
        """Identity of the parameters, for caches."""
        return f"greatcircle:detour={self.detour_factor:g}:{describe_profiles(self.profiles)}"

    def matrix(self, points: Sequence[LonLat], mode: TravelMode) -> TravelMatrix:
        """Return the estimated matrix between ``points``; no cell is marked estimated.

        Parameters
        ----------
        points
            WGS-84 ``(lon, lat)`` pairs.
        mode
            Travel mode, selects the profile.

        Returns
        -------
        TravelMatrix
            Symmetric integer seconds and metres with a zero diagonal.
        """
        profile = profile_for(self.profiles, mode)
        lonlat = as_lonlat_array(points)
        seconds, metres = estimate(haversine_m(lonlat), profile, self.detour_factor)
        return TravelMatrix.from_floats(seconds, metres)
