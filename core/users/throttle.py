"""Login throttling that holds under parallel bursts.

Every login attempt is counted *before* its password is checked, with one atomic Redis
``INCR`` per key, so N parallel wrong passwords cannot all pass a check-then-count gap:

- per username (whatever ``device_id`` the client sends): ``per_username`` attempts per
  ``username_window_s``; a successful login clears the count;
- per client address: ``per_address`` attempts per ``address_window_s``, successes
  included, so a flood from one address is refused before argon2 runs. Rural users
  share carrier NAT: the address limit is generous, the username limit is the tight one.

When Redis is down an in-process window with the same rules takes over, so logins keep
working (one process's view only) instead of failing with 500.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass

import redis

MAX_FAILURES = 8
WINDOW_SECONDS = 300


@dataclass(frozen=True)
class ThrottleLimits:
    per_username: int = MAX_FAILURES
    username_window_s: int = WINDOW_SECONDS
    per_address: int = 30
    address_window_s: int = 60


class LoginThrottle:
    def __init__(
        self,
        redis_client: redis.Redis,
        prefix: str = "login-fail",
        limits: ThrottleLimits | None = None,
    ) -> None:
        self._redis = redis_client
        self._prefix = prefix
        self.limits = limits or ThrottleLimits()
        self._local: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def _user_key(self, username: str) -> str:
        return f"{self._prefix}:u:{username.strip().lower()}"

    def _address_key(self, address: str | None) -> str:
        return f"{self._prefix}:a:{address or '-'}"

    def admit(self, username: str, address: str | None) -> int:
        """Count one attempt; 0 when it may go on to the password check, else the seconds
        until this username or address may try again."""
        lim = self.limits
        checks = (
            (self._user_key(username), lim.per_username, lim.username_window_s),
            (self._address_key(address), lim.per_address, lim.address_window_s),
        )
        try:
            pipe = self._redis.pipeline(transaction=True)
            for key, _limit, window in checks:
                pipe.incr(key)
                pipe.expire(key, window, nx=True)
                pipe.ttl(key)
            replies = pipe.execute()
            counted = [(int(replies[3 * i]), int(replies[3 * i + 2])) for i in range(2)]
        except redis.RedisError:
            counted = [self._local_incr(key, window) for key, _limit, window in checks]
        waits = [
            max(ttl, 1)
            for (count, ttl), (_key, limit, _w) in zip(counted, checks, strict=True)
            if count > limit
        ]
        return max(waits, default=0)

    def succeeded(self, username: str) -> None:
        """A right password: the username's count starts again."""
        key = self._user_key(username)
        with contextlib.suppress(redis.RedisError):
            self._redis.delete(key)
        with self._lock:
            self._local.pop(key, None)

    def _local_incr(self, key: str, window: int) -> tuple[int, int]:
        with self._lock:
            now = time.monotonic()
            count, start = self._local.get(key, (0, now))
            if now - start >= window:
                count, start = 0, now
            self._local[key] = (count + 1, start)
            return count + 1, int(window - (now - start))
