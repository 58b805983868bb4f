"""A fast great-circle (haversine) travel-matrix estimate calibrated on a mountain network.

A leg between two different points is estimated as::

    metres  = 2 x access_m + d x detour(d)
    seconds = 2 x access_m / access speed + d x detour(d) / road speed + overhead
    detour(d) = detour_factor + (short_detour_factor - detour_factor) x half / (half + d)

with ``d`` the great-circle distance. ``access_m`` is the path from a household to the
road at each end of the leg, at the mode's access speed, as ``PgRoutingProvider`` charges
the snapping distance. The detour falls from ``short_detour_factor`` (2.4) for
neighbouring houses, which are often on two sides of a stream or on two hairpins of the
same road, to ``detour_factor`` (1.6) for long legs, halfway at ``detour_half_m``
(2 km). ``d x detour(d)`` grows with ``d`` and is concave, so the estimate is monotone in
distance and keeps the triangle inequality (up to rounding).

Calibrated by ``bench/greatcircle_fit.py`` on the Andorra network (Pyrenees, 2013 OSM):
``access_m`` = 120 m is the median snapping distance of households to the nearest usable
vertex (about 93 m) x ``RoadNetwork.access_detour`` 1.3; ``detour_factor`` 1.6 is the
median road / great-circle ratio of legs over 1 km (``bench/matrix.py``);
``short_detour_factor`` and ``detour_half_m`` make the summed road time per distance
bucket match the summed estimate. The old model (detour 1.6 flat, no access) gave half
the road time on legs under 500 m. Tables in ``docs/road_network.md``; recalibrate with
the county's own network when one is imported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from geo.modes import TravelMode
from geo.travel.profiles import DEFAULT_PROFILES, ModeProfile, describe_profiles, profile_for
from geo.travel.protocol import FloatMatrix, LonLat, TravelMatrix, as_lonlat_array

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres."""

DEFAULT_DETOUR_FACTOR = 1.6
"""Road metres per great-circle metre on long legs."""
DEFAULT_SHORT_DETOUR_FACTOR = 2.4
"""Road metres per great-circle metre as the distance tends to zero."""
DEFAULT_DETOUR_HALF_M = 2_000.0
"""Great-circle distance at which the detour is halfway between the two factors."""
DEFAULT_ACCESS_M = 120.0
"""Path metres between a household and the road, charged at each end of a leg."""


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


def road_metres(
    distance_m: FloatMatrix, detour_factor: float, short_detour_factor: float, half_m: float
) -> FloatMatrix:
    """Road metres for great-circle metres, with a detour that is larger on short legs.

    Parameters
    ----------
    distance_m
        Great-circle distances, metres (non-negative).
    detour_factor
        Detour on long legs (the limit as the distance grows).
    short_detour_factor
        Detour as the distance tends to zero, at least ``detour_factor``.
    half_m
        Distance at which the detour is halfway between the two.

    Returns
    -------
    numpy.ndarray
        ``d x (detour_factor + (short - detour_factor) x half / (half + d))``: increasing
        and concave in ``d`` (so subadditive), zero at zero.
    """
    extra = (short_detour_factor - detour_factor) * half_m
    return distance_m * detour_factor + extra * distance_m / (half_m + distance_m)


class GreatCircleProvider:
    """Haversine distance with a distance-dependent detour and a household access leg at
    per-mode speeds; never fails, no database.

    Parameters
    ----------
    detour_factor
        Road metres per great-circle metre on long legs, between 1.0 and 3.0 (default 1.6).
    short_detour_factor
        The detour as the distance tends to zero, between ``detour_factor`` and 5.0
        (default 2.4). Equal to ``detour_factor`` for a flat detour.
    detour_half_m
        Distance where the detour is halfway between the two, metres (default 2,000).
    access_m
        Path metres between a point and the road at each end of a leg, at the mode's
        access speed (default 120; 0 to leave it out).
    profiles
        Per-mode speeds and overheads (default ``DEFAULT_PROFILES``).
    """

    def __init__(
        self,
        detour_factor: float = DEFAULT_DETOUR_FACTOR,
        profiles: Mapping[TravelMode, ModeProfile] = DEFAULT_PROFILES,
        *,
        short_detour_factor: float = DEFAULT_SHORT_DETOUR_FACTOR,
        detour_half_m: float = DEFAULT_DETOUR_HALF_M,
        access_m: float = DEFAULT_ACCESS_M,
    ) -> None:
        if not 1.0 <= detour_factor <= 3.0:
            raise ValueError("detour_factor must be between 1.0 and 3.0")
        if not detour_factor <= short_detour_factor <= 5.0:
            raise ValueError("short_detour_factor must be between detour_factor and 5.0")
        if not 0.0 < detour_half_m <= 100_000.0:
            raise ValueError("detour_half_m must be positive, at most 100 km")
        if not 0.0 <= access_m <= 2_000.0:
            raise ValueError("access_m must be between 0 and 2,000")
        self.detour_factor = float(detour_factor)
        self.short_detour_factor = float(short_detour_factor)
        self.detour_half_m = float(detour_half_m)
        self.access_m = float(access_m)
        self.profiles = profiles

    @property
    def key(self) -> str:
        """Identity of the parameters, for caches."""
        return (
            f"greatcircle:detour={self.detour_factor:g}-{self.short_detour_factor:g}"
            f"@{self.detour_half_m:g}:access={self.access_m:g}:{describe_profiles(self.profiles)}"
        )

    def estimate(
        self, distance_m: FloatMatrix, profile: ModeProfile
    ) -> tuple[FloatMatrix, FloatMatrix]:
        """Turn great-circle metres into estimated seconds and metres for one mode.

        Parameters
        ----------
        distance_m
            Great-circle distances, metres.
        profile
            The mode's speeds and overhead.

        Returns
        -------
        tuple of numpy.ndarray
            ``(seconds, metres)``; the access legs and the overhead are added only where
            the distance is positive, so the diagonal and co-located points cost nothing.
        """
        road = road_metres(
            distance_m, self.detour_factor, self.short_detour_factor, self.detour_half_m
        )
        moved = distance_m > 0.0
        access = np.where(moved, 2.0 * self.access_m, 0.0)
        seconds = road / profile.speed_mps + access / profile.access_speed_mps
        seconds += np.where(moved, profile.overhead_s, 0.0)
        return seconds, road + access

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
        seconds, metres = self.estimate(haversine_m(as_lonlat_array(points)), profile)
        return TravelMatrix.from_floats(seconds, metres)

    def seconds_between(
        self, sources: Sequence[LonLat], targets: Sequence[LonLat], mode: TravelMode
    ) -> npt.NDArray[np.int32]:
        """Integer seconds from each of ``sources`` to each of ``targets``: the cells
        :meth:`matrix` gives those pairs (each cell is computed from its two points
        alone), without the rest of the square.

        Returns
        -------
        numpy.ndarray
            ``(len(sources), len(targets))`` int32 seconds (0 between equal points).
        """
        profile = profile_for(self.profiles, mode)
        distance = haversine_m(as_lonlat_array(sources), as_lonlat_array(targets))
        seconds, _ = self.estimate(distance, profile)
        if not np.isfinite(seconds).all():
            raise ValueError("seconds must be finite")
        rounded = np.rint(seconds)
        if (rounded > np.iinfo(np.int32).max).any():
            raise OverflowError("seconds exceed the int32 range")
        return rounded.astype(np.int32)
