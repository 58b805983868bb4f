"""An in-process LRU cache of travel matrices.

The key is ``(provider key, mode, digest of the points rounded to ~1 m)``, so a re-plan of
the same stops with the same provider parameters is free. Matrices are read-only, so a
cached one can be shared safely between callers.

One ``MatrixCache`` lives as long as the process (built once by the app or worker); a
``CachedProvider`` wrapping a per-request provider is cheap to build.

Should a Redis or database cache follow? Yes once plans are solved by several Celery
workers (each has its own LRU) or matrices get large: a 2,000-point matrix is about 36 MB
here, so store it compressed in Redis (``numpy.save`` + zstd, TTL a day) or, better for
re-plans of overlapping stop sets, cache *pairs* per vertex in a PostgreSQL table. Clear
the cache (``MatrixCache.clear``) after re-importing a road network: the key does not
include a data version.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from geo.modes import TravelMode
from geo.travel.protocol import LonLat, MatrixProvider, TravelMatrix, as_lonlat_array

CacheKey = tuple[str, str, int, str]


def cache_key(
    provider_key: str, mode: TravelMode, points: Sequence[LonLat], decimals: int
) -> CacheKey:
    """Return the cache key of a request.

    Parameters
    ----------
    provider_key
        ``MatrixProvider.key``.
    mode
        Travel mode.
    points
        WGS-84 ``(lon, lat)`` pairs, in request order (order matters: it is the matrix order).
    decimals
        Decimal places kept of each coordinate (5 is about 1 m).

    Returns
    -------
    tuple
        ``(provider_key, mode, n, sha256 of the rounded coordinates)``.
    """
    arr = np.round(as_lonlat_array(points), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    digest = hashlib.sha256(arr.astype("<f8").tobytes()).hexdigest()
    return (provider_key, TravelMode(mode).value, int(arr.shape[0]), digest)


def _nbytes(m: TravelMatrix) -> int:
    return int(m.seconds.nbytes + m.metres.nbytes + m.estimated.nbytes)


class MatrixCache:
    """A thread-safe LRU of ``TravelMatrix`` bounded by entries and bytes.

    Parameters
    ----------
    max_entries
        Most matrices kept.
    max_bytes
        Most array bytes kept (default 256 MiB); a larger matrix is not cached.
    decimals
        Coordinate rounding of the key (default 5, about 1 m).
    """

    def __init__(self, max_entries: int = 64, max_bytes: int = 256 * 2**20, decimals: int = 5):
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("max_entries and max_bytes must be positive")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.decimals = decimals
        self.hits = 0
        self.misses = 0
        self._bytes = 0
        self._data: OrderedDict[CacheKey, TravelMatrix] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: CacheKey) -> TravelMatrix | None:
        """Return the cached matrix and mark it recently used, or ``None``."""
        with self._lock:
            found = self._data.get(key)
            if found is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: CacheKey, matrix: TravelMatrix) -> None:
        """Store ``matrix``, evicting least recently used entries to stay in bounds."""
        size = _nbytes(matrix)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= _nbytes(old)
            self._data[key] = matrix
            self._bytes += size
            while len(self._data) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._data.popitem(last=False)
                self._bytes -= _nbytes(evicted)

    def clear(self) -> None:
        """Drop every entry (e.g. after a road network re-import)."""
        with self._lock:
            self._data.clear()
            self._bytes = 0


class CachedProvider:
    """A ``MatrixProvider`` that answers from ``cache`` before asking ``inner``.

    Parameters
    ----------
    inner
        The provider to cache.
    cache
        A process-wide ``MatrixCache``.
    """

    def __init__(self, inner: MatrixProvider, cache: MatrixCache) -> None:
        self.inner = inner
        self.cache = cache

    @property
    def key(self) -> str:
        """The inner provider's key."""
        return self.inner.key

    def matrix(self, points: Sequence[LonLat], mode: TravelMode) -> TravelMatrix:
        """Return the cached matrix for these points and mode, computing it on a miss.

        Parameters
        ----------
        points
            WGS-84 ``(lon, lat)`` pairs.
        mode
            Travel mode.

        Returns
        -------
        TravelMatrix
            The (shared, read-only) matrix.
        """
        key = cache_key(self.inner.key, mode, points, self.cache.decimals)
        found = self.cache.get(key)
        if found is not None:
            return found
        result = self.inner.matrix(points, mode)
        self.cache.put(key, result)
        return result
