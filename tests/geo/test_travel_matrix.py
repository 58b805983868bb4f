"""TravelMatrix validation, the fallback composite and the LRU cache (no database)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from core.models import TravelMode
from geo.travel import (
    CachedProvider,
    GreatCircleProvider,
    LonLat,
    MatrixCache,
    MatrixProvider,
    PartialMatrix,
    TravelMatrix,
    WithFallback,
    cache_key,
)

NAN = np.nan
POINTS = [(100.10, 25.00), (100.13, 25.02), (100.30, 25.21)]


class FixedPartial:
    """A primary provider that returns a fixed partial matrix."""

    key = "fixed"

    def __init__(self, seconds: list[list[float]], metres: list[list[float]]) -> None:
        self.result = PartialMatrix(np.array(seconds), np.array(metres))

    def partial_matrix(self, points: Sequence[LonLat], mode: TravelMode) -> PartialMatrix:
        return self.result


class Counting:
    """Wraps a provider and counts calls."""

    def __init__(self, inner: MatrixProvider) -> None:
        self.inner = inner
        self.calls = 0

    @property
    def key(self) -> str:
        return self.inner.key

    def matrix(self, points: Sequence[LonLat], mode: TravelMode) -> TravelMatrix:
        self.calls += 1
        return self.inner.matrix(points, mode)


def test_from_floats_rounds_to_nearest_int32() -> None:
    """Float seconds and metres are rounded to the nearest integer as int32."""
    m = TravelMatrix.from_floats(
        np.array([[0.0, 1.4], [2.6, 0.0]]), np.array([[0, 9.5], [10.4, 0]])
    )
    assert m.seconds.tolist() == [[0, 1], [3, 0]]
    assert m.metres.dtype == np.int32 and m.metres[1, 0] == 10


def test_from_floats_guards_against_int32_overflow() -> None:
    """A value beyond int32 raises OverflowError instead of wrapping around."""
    with pytest.raises(OverflowError):
        TravelMatrix.from_floats(np.array([[0.0, 3e9], [1.0, 0.0]]), np.zeros((2, 2)))


def test_matrix_rejects_nan_and_negative() -> None:
    """NaN or negative travel times are rejected."""
    with pytest.raises(ValueError):
        TravelMatrix.from_floats(np.array([[0.0, NAN], [1.0, 0.0]]), np.zeros((2, 2)))
    with pytest.raises(ValueError):
        TravelMatrix.from_floats(np.array([[0.0, -5.0], [1.0, 0.0]]), np.zeros((2, 2)))


def test_matrix_arrays_are_read_only() -> None:
    """A matrix (possibly shared through the cache) cannot be modified in place."""
    m = GreatCircleProvider().matrix(POINTS, TravelMode.CAR)
    with pytest.raises(ValueError):
        m.seconds[0, 1] = 1


def test_fallback_fills_only_missing_cells_and_marks_them() -> None:
    """Missing cells come from the fallback and are marked; routed cells are kept unmarked."""
    primary = FixedPartial(
        [[0, 100, NAN], [110, 0, NAN], [NAN, NAN, 0]],
        [[0, 1000, NAN], [1100, 0, NAN], [NAN, NAN, 0]],
    )
    fallback = GreatCircleProvider()
    m = WithFallback(primary, fallback).matrix(POINTS, TravelMode.MOTORBIKE)
    est = fallback.matrix(POINTS, TravelMode.MOTORBIKE)
    assert m.seconds[0, 1] == 100 and m.seconds[1, 0] == 110 and m.metres[0, 1] == 1000
    assert m.seconds[0, 2] == est.seconds[0, 2] and m.metres[2, 1] == est.metres[2, 1]
    expected_mask = [[False, False, True], [False, False, True], [True, True, False]]
    assert m.estimated.tolist() == expected_mask
    assert m.estimated_share == pytest.approx(4 / 6)


def test_fallback_is_not_called_when_everything_is_routed() -> None:
    """A fully routed matrix does not ask the fallback at all."""
    primary = FixedPartial([[0, 5], [6, 0]], [[0, 50], [60, 0]])
    fallback = Counting(GreatCircleProvider())
    m = WithFallback(primary, fallback).matrix(POINTS[:2], TravelMode.CAR)
    assert fallback.calls == 0 and not m.estimated.any()
    assert isinstance(WithFallback(primary, fallback), MatrixProvider)


def test_partial_matrix_requires_matching_missing_cells() -> None:
    """Seconds and metres must be missing in the same cells."""
    with pytest.raises(ValueError):
        PartialMatrix(np.array([[0.0, NAN], [1.0, 0.0]]), np.array([[0.0, 1.0], [1.0, 0.0]]))


def test_cache_hit_returns_the_same_matrix_without_recomputing() -> None:
    """The second request for the same points and mode is served from the cache."""
    inner = Counting(GreatCircleProvider())
    cache = MatrixCache()
    provider = CachedProvider(inner, cache)
    first = provider.matrix(POINTS, TravelMode.CAR)
    second = provider.matrix([(x + 1e-7, y) for x, y in POINTS], TravelMode.CAR)
    assert second is first and inner.calls == 1
    assert (cache.hits, cache.misses) == (1, 1)


def test_cache_key_separates_modes_order_and_providers() -> None:
    """Mode, point order and provider identity are part of the key."""
    base = cache_key("a", TravelMode.CAR, POINTS, 5)
    assert cache_key("a", TravelMode.WALK, POINTS, 5) != base
    assert cache_key("a", TravelMode.CAR, POINTS[::-1], 5) != base
    assert cache_key("b", TravelMode.CAR, POINTS, 5) != base
    assert cache_key("a", TravelMode.CAR, [(x, y + 1e-4) for x, y in POINTS], 5) != base


def test_cache_evicts_least_recently_used() -> None:
    """Past max_entries the least recently used matrix is dropped."""
    inner = Counting(GreatCircleProvider())
    provider = CachedProvider(inner, MatrixCache(max_entries=2))
    a, b, c = POINTS[:2], POINTS[1:], POINTS[::2]
    provider.matrix(a, TravelMode.CAR)
    provider.matrix(b, TravelMode.CAR)
    provider.matrix(a, TravelMode.CAR)  # a is now the most recent
    provider.matrix(c, TravelMode.CAR)  # evicts b
    provider.matrix(a, TravelMode.CAR)
    assert inner.calls == 3
    provider.matrix(b, TravelMode.CAR)
    assert inner.calls == 4


def test_cache_skips_matrices_over_the_byte_budget() -> None:
    """A matrix larger than max_bytes is returned but not stored."""
    cache = MatrixCache(max_bytes=10)
    CachedProvider(GreatCircleProvider(), cache).matrix(POINTS, TravelMode.CAR)
    assert len(cache) == 0
