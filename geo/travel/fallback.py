"""Fill the cells a primary provider could not route from a fallback provider.

Rural OpenStreetMap is incomplete: a household far from any mapped road, or a road
fragment that is not connected to the rest, must never fail the whole matrix. The cells
are filled from the fallback (normally ``GreatCircleProvider``) and marked in
``TravelMatrix.estimated`` so the planner and the UI can tell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from geo.modes import TravelMode
from geo.travel.protocol import (
    LonLat,
    MatrixProvider,
    PartialMatrix,
    PartialMatrixProvider,
    TravelMatrix,
)


def fill_missing(partial: PartialMatrix, estimate: Callable[[], TravelMatrix]) -> TravelMatrix:
    """Complete ``partial`` with cells from ``estimate()``, marking them as estimated.

    Parameters
    ----------
    partial
        Routed values, ``NaN`` where missing.
    estimate
        Called only if a cell is missing; returns a complete matrix of the same size.

    Returns
    -------
    TravelMatrix
        Routed cells as they were (rounded), missing cells from the estimate, with
        ``estimated`` set on exactly those.

    Raises
    ------
    ValueError
        If the estimate has a different size.
    """
    missing = ~partial.routed
    np.fill_diagonal(missing, False)
    if not missing.any():
        return TravelMatrix.from_floats(
            np.nan_to_num(partial.seconds), np.nan_to_num(partial.metres)
        )
    est = estimate()
    if est.size != partial.seconds.shape[0]:
        raise ValueError("the fallback matrix has a different size")
    seconds = np.where(missing, est.seconds, partial.seconds)
    metres = np.where(missing, est.metres, partial.metres)
    np.fill_diagonal(seconds, 0.0)
    np.fill_diagonal(metres, 0.0)
    return TravelMatrix.from_floats(seconds, metres, missing)


class WithFallback:
    """A ``MatrixProvider`` that routes with ``primary`` and fills gaps from ``fallback``.

    Parameters
    ----------
    primary
        A provider that may leave cells unrouted (e.g. ``PgRoutingProvider``).
    fallback
        A provider that always answers (e.g. ``GreatCircleProvider``).

    Notes
    -----
    Errors of the primary (a missing table, a database error) are not swallowed: they
    are configuration faults, and a failed statement aborts the transaction anyway.
    """

    def __init__(self, primary: PartialMatrixProvider, fallback: MatrixProvider) -> None:
        self.primary = primary
        self.fallback = fallback

    @property
    def key(self) -> str:
        """Identity of both providers, for caches."""
        return f"{self.primary.key}|fallback={self.fallback.key}"

    def matrix(self, points: Sequence[LonLat], mode: TravelMode) -> TravelMatrix:
        """Return a complete matrix; cells filled from the fallback are marked estimated.

        Parameters
        ----------
        points
            WGS-84 ``(lon, lat)`` pairs.
        mode
            Travel mode.

        Returns
        -------
        TravelMatrix
            The completed matrix.
        """
        partial = self.primary.partial_matrix(points, mode)
        return fill_missing(partial, lambda: self.fallback.matrix(points, mode))
