"""The travel-time matrix types and the provider protocols the planner depends on.

A provider is constructed with everything it needs (parameters, and a ``Connection`` for
database providers) and then answers ``matrix(points, mode)``. The planner therefore treats
every provider the same way, whether it is the great-circle estimate, the road network
with its fallback, or either of them behind a cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from geo.modes import TravelMode

LonLat = tuple[float, float]
"""A WGS-84 point as ``(longitude, latitude)`` in degrees, the GeoJSON order."""

IntMatrix = npt.NDArray[np.int32]
FloatMatrix = npt.NDArray[np.float64]
BoolMatrix = npt.NDArray[np.bool_]

INT32_MAX = int(np.iinfo(np.int32).max)


def as_lonlat_array(points: Sequence[LonLat]) -> FloatMatrix:
    """Validate points and return them as an ``(n, 2)`` float array of ``(lon, lat)``.

    Parameters
    ----------
    points
        WGS-84 ``(lon, lat)`` pairs in degrees.

    Returns
    -------
    numpy.ndarray
        Float64 array of shape ``(n, 2)``; ``n`` may be zero.

    Raises
    ------
    ValueError
        If a point is not a finite pair inside [-180, 180] x [-90, 90].
    """
    arr = np.asarray(points, dtype=np.float64)
    if arr.size == 0:
        return np.zeros((0, 2), dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError("points must be a sequence of (lon, lat) pairs")
    if not np.isfinite(arr).all():
        raise ValueError("points must be finite")
    if (np.abs(arr[:, 0]) > 180.0).any() or (np.abs(arr[:, 1]) > 90.0).any():
        raise ValueError(
            "points must be (lon, lat) in degrees, lon in [-180, 180], lat in [-90, 90]"
        )
    return arr


def _square(name: str, arr: npt.NDArray[np.generic], n: int | None) -> int:
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} has shape {arr.shape}, expected ({n}, {n})")
    return int(arr.shape[0])


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """A complete ``n x n`` travel matrix between points, in integer units.

    Attributes
    ----------
    seconds
        Travel time from row point to column point, ``int32`` seconds, zero diagonal.
    metres
        Travel distance, ``int32`` metres, zero diagonal.
    estimated
        ``True`` where the cell was estimated by a fallback instead of the primary
        provider (for example a great-circle estimate for an unroutable point).

    Notes
    -----
    The arrays are made read-only so a cached matrix cannot be changed by a caller.
    Matrices need not be symmetric (one-way roads).
    """

    seconds: IntMatrix
    metres: IntMatrix
    estimated: BoolMatrix

    def __post_init__(self) -> None:
        n = _square("seconds", self.seconds, None)
        _square("metres", self.metres, n)
        _square("estimated", self.estimated, n)
        if self.seconds.dtype != np.int32 or self.metres.dtype != np.int32:
            raise TypeError("seconds and metres must be int32 arrays")
        if self.estimated.dtype != np.bool_:
            raise TypeError("estimated must be a bool array")
        if (self.seconds < 0).any() or (self.metres < 0).any():
            raise ValueError("travel seconds and metres must be non-negative")
        if np.diagonal(self.seconds).any() or np.diagonal(self.metres).any():
            raise ValueError("the diagonal must be zero")
        for arr in (self.seconds, self.metres, self.estimated):
            arr.flags.writeable = False

    @property
    def size(self) -> int:
        """Number of points ``n``."""
        return int(self.seconds.shape[0])

    @property
    def estimated_share(self) -> float:
        """Share of off-diagonal cells that were estimated by a fallback (0.0 to 1.0)."""
        off = self.size * (self.size - 1)
        return float(self.estimated.sum()) / off if off else 0.0

    @classmethod
    def from_floats(
        cls, seconds: FloatMatrix, metres: FloatMatrix, estimated: BoolMatrix | None = None
    ) -> TravelMatrix:
        """Round float seconds and metres to the nearest integer, guarding against overflow.

        Parameters
        ----------
        seconds, metres
            Finite, non-negative float matrices of the same square shape.
        estimated
            Fallback mask; all ``False`` when omitted.

        Returns
        -------
        TravelMatrix
            The rounded matrix with a zero diagonal.

        Raises
        ------
        ValueError
            If a value is not finite or is negative.
        OverflowError
            If a value does not fit in ``int32``.
        """
        n = _square("seconds", seconds, None)
        _square("metres", metres, n)
        out: list[IntMatrix] = []
        for name, arr in (("seconds", seconds), ("metres", metres)):
            if not np.isfinite(arr).all():
                raise ValueError(f"{name} must be finite")
            rounded = np.rint(arr)
            if (rounded > INT32_MAX).any():
                raise OverflowError(f"{name} exceed the int32 range")
            ints = rounded.astype(np.int32)
            np.fill_diagonal(ints, 0)
            out.append(ints)
        mask = np.zeros((n, n), dtype=np.bool_) if estimated is None else estimated.astype(np.bool_)
        return cls(seconds=out[0], metres=out[1], estimated=mask)


@dataclass(frozen=True, eq=False)
class PartialMatrix:
    """A float travel matrix with ``NaN`` where the provider found no route.

    Attributes
    ----------
    seconds, metres
        Float64 ``n x n`` matrices; both are ``NaN`` in exactly the same cells.
    """

    seconds: FloatMatrix
    metres: FloatMatrix

    def __post_init__(self) -> None:
        n = _square("seconds", self.seconds, None)
        _square("metres", self.metres, n)
        if not np.array_equal(np.isnan(self.seconds), np.isnan(self.metres)):
            raise ValueError("seconds and metres must be missing in the same cells")

    @property
    def routed(self) -> BoolMatrix:
        """``True`` where the cell has a value."""
        return ~np.isnan(self.seconds)


@runtime_checkable
class MatrixProvider(Protocol):
    """Anything that returns a complete travel matrix for WGS-84 points and a mode."""

    @property
    def key(self) -> str:
        """Stable text identity of the provider's data and parameters (cache key part)."""
        ...

    def matrix(self, points: Sequence[LonLat], mode: TravelMode) -> TravelMatrix:
        """Return the ``n x n`` matrix between ``points`` (row = from, column = to)."""
        ...


@runtime_checkable
class PartialMatrixProvider(Protocol):
    """A provider that may leave cells unrouted; wrap it in ``WithFallback`` for the planner."""

    @property
    def key(self) -> str:
        """Stable text identity of the provider's data and parameters (cache key part)."""
        ...

    def partial_matrix(self, points: Sequence[LonLat], mode: TravelMode) -> PartialMatrix:
        """Return the matrix between ``points`` with ``NaN`` where there is no route."""
        ...
