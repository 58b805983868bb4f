"""Per-user rate limits on expensive requests: plan submission, re-plan, imports, exports.

A fixed window per (action, user) counted in Redis (``INCR``, then ``EXPIRE ... NX`` in
one pipeline, so parallel requests cannot slip past the count). When Redis is down each
process counts alone in memory: the limit loosens to one per process, it never answers
500. Past the limit: 429 with ``Retry-After``. Limits: ``RATE_LIMITS`` (action ->
``[requests, seconds]``), keys under ``RATE_LIMIT_PREFIX``.
"""

from __future__ import annotations

import threading
import time

import redis
from flask import current_app

from api.errors import Problem

__all__ = ["rate_limit"]

_local: dict[str, tuple[int, float]] = {}
_lock = threading.Lock()


def _hit_redis(client: redis.Redis, key: str, window: int) -> tuple[int, int]:
    pipe = client.pipeline()
    pipe.incr(key)
    pipe.expire(key, window, nx=True)
    pipe.ttl(key)
    count, _, ttl = pipe.execute()
    return int(count), int(ttl)


def _hit_local(key: str, window: int) -> tuple[int, int]:
    now = time.monotonic()
    with _lock:
        count, start = _local.get(key, (0, now))
        if now - start >= window:
            count, start = 0, now
        _local[key] = (count + 1, start)
    return count + 1, int(window - (now - start))


def rate_limit(action: str, user_id: int) -> None:
    """Count one ``action`` by ``user_id``; :class:`Problem` 429 past the limit."""
    allowed, window = current_app.config["RATE_LIMITS"][action]
    key = f"{current_app.config['RATE_LIMIT_PREFIX']}:{action}:{user_id}"
    try:
        count, ttl = _hit_redis(current_app.extensions["redis"], key, int(window))
    except redis.RedisError:
        count, ttl = _hit_local(key, int(window))
    if count > int(allowed):
        raise Problem(
            429,
            f"At most {allowed} {action} requests per {window} s per user; try again later.",
            headers={"Retry-After": str(max(ttl, 1))},
        )
