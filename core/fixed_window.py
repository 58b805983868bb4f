"""Fixed-window counters in Redis, with an in-process fallback: the one counter behind
login throttling (core/users/throttle.py) and per-user rate limits (api/ratelimit.py).

An event is counted *before* it is judged, with ``INCR`` then ``EXPIRE ... NX`` for every
window in one transaction, so parallel requests cannot slip through a check-then-count
gap. When Redis is down each process counts alone in memory with the same windows: the
limit loosens to one per process, it never answers 500.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import redis

__all__ = ["FixedWindowCounter", "Window"]


@dataclass(frozen=True)
class Window:
    """At most ``limit`` events under ``key`` per ``seconds``."""

    key: str
    limit: int
    seconds: int


class FixedWindowCounter:
    def __init__(self, redis_client: redis.Redis) -> None:
        self._redis = redis_client
        self._local: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def hit(self, windows: Sequence[Window]) -> int:
        """Count one event in every window; 0 when each is still within its limit, else
        the seconds until the last of the exceeded windows opens again."""
        try:
            counted = self._hit_redis(windows)
        except redis.RedisError:
            counted = [self._hit_local(w) for w in windows]
        waits = [
            max(ttl, 1) for (count, ttl), w in zip(counted, windows, strict=True) if count > w.limit
        ]
        return max(waits, default=0)

    def clear(self, key: str) -> None:
        """Start ``key``'s count again (in Redis and in this process)."""
        with contextlib.suppress(redis.RedisError):
            self._redis.delete(key)
        with self._lock:
            self._local.pop(key, None)

    def _hit_redis(self, windows: Sequence[Window]) -> list[tuple[int, int]]:
        pipe = self._redis.pipeline(transaction=True)
        for w in windows:
            pipe.incr(w.key)
            pipe.expire(w.key, w.seconds, nx=True)
            pipe.ttl(w.key)
        replies = pipe.execute()
        return [(int(replies[3 * i]), int(replies[3 * i + 2])) for i in range(len(windows))]

    def _hit_local(self, w: Window) -> tuple[int, int]:
        with self._lock:
            now = time.monotonic()
            count, start = self._local.get(w.key, (0, now))
            if now - start >= w.seconds:
                count, start = 0, now
            self._local[w.key] = (count + 1, start)
            return count + 1, int(w.seconds - (now - start))
