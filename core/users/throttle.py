"""Login throttling keyed per username and device (rural users share carrier NAT).

Redis holds the counters; when Redis is down an in-process window takes over,
so logins keep working instead of failing with 500.
"""

from __future__ import annotations

import contextlib
import threading
import time

import redis

MAX_FAILURES = 8
WINDOW_SECONDS = 300


class LoginThrottle:
    def __init__(self, redis_client: redis.Redis, prefix: str = "login-fail") -> None:
        self._redis = redis_client
        self._prefix = prefix
        self._local: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def _key(self, username: str, device_id: str | None) -> str:
        return f"{self._prefix}:{username.lower()}:{device_id or '-'}"

    def blocked_for(self, username: str, device_id: str | None) -> int:
        """Seconds until this username/device may try again; 0 when allowed."""
        key = self._key(username, device_id)
        try:
            count = int(self._redis.get(key) or 0)
            ttl = int(self._redis.ttl(key))
        except redis.RedisError:
            count, ttl = self._local_get(key)
        return max(ttl, 1) if count >= MAX_FAILURES else 0

    def failed(self, username: str, device_id: str | None) -> None:
        key = self._key(username, device_id)
        try:
            pipe = self._redis.pipeline()
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS, nx=True)
            pipe.execute()
        except redis.RedisError:
            with self._lock:
                count, start = self._local.get(key, (0, time.monotonic()))
                self._local[key] = (count + 1, start)

    def succeeded(self, username: str, device_id: str | None) -> None:
        key = self._key(username, device_id)
        with contextlib.suppress(redis.RedisError):
            self._redis.delete(key)
        with self._lock:
            self._local.pop(key, None)

    def _local_get(self, key: str) -> tuple[int, int]:
        with self._lock:
            count, start = self._local.get(key, (0, time.monotonic()))
            remaining = int(WINDOW_SECONDS - (time.monotonic() - start))
            if remaining <= 0:
                self._local.pop(key, None)
                return 0, 0
            return count, remaining
