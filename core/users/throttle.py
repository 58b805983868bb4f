"""Login throttling that holds under parallel bursts.

Every login attempt is counted *before* its password is checked, with one atomic Redis
``INCR`` per key, so N parallel wrong passwords cannot all pass a check-then-count gap:

- per username (whatever ``device_id`` the client sends): ``per_username`` attempts per
  ``username_window_s``; a successful login clears the count;
- per client address: ``per_address`` attempts per ``address_window_s``, successes
  included, so a flood from one address is refused before argon2 runs. Rural users
  share carrier NAT: the address limit is generous, the username limit is the tight one.

Counted by the shared fixed-window counter (core/fixed_window.py), which keeps logins
working (one process's view only) when Redis is down instead of failing with 500.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from core.fixed_window import FixedWindowCounter, Window

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
        self._counter = FixedWindowCounter(redis_client)
        self._prefix = prefix
        self.limits = limits or ThrottleLimits()

    def _user_key(self, username: str) -> str:
        return f"{self._prefix}:u:{username.strip().lower()}"

    def _address_key(self, address: str | None) -> str:
        return f"{self._prefix}:a:{address or '-'}"

    def admit(self, username: str, address: str | None) -> int:
        """Count one attempt; 0 when it may go on to the password check, else the seconds
        until this username or address may try again."""
        lim = self.limits
        return self._counter.hit(
            (
                Window(self._user_key(username), lim.per_username, lim.username_window_s),
                Window(self._address_key(address), lim.per_address, lim.address_window_s),
            )
        )

    def succeeded(self, username: str) -> None:
        """A right password: the username's count starts again."""
        self._counter.clear(self._user_key(username))
