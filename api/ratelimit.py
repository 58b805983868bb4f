"""Per-user rate limits on expensive requests: plan submission, re-plan, imports, exports.

A fixed window per (action, user), counted by the app's shared counter
(core/fixed_window.py: atomic in Redis, per process when Redis is down, never 500).
Past the limit: 429 with ``Retry-After``. Limits: ``RATE_LIMITS`` (action ->
``[requests, seconds]``), keys under ``RATE_LIMIT_PREFIX``.
"""

from __future__ import annotations

from flask import current_app

from api.errors import Problem
from core.fixed_window import FixedWindowCounter, Window

__all__ = ["rate_limit"]


def rate_limit(action: str, user_id: int) -> None:
    """Count one ``action`` by ``user_id``; :class:`Problem` 429 past the limit."""
    allowed, window = current_app.config["RATE_LIMITS"][action]
    key = f"{current_app.config['RATE_LIMIT_PREFIX']}:{action}:{user_id}"
    counter: FixedWindowCounter = current_app.extensions["rate_counter"]
    wait = counter.hit([Window(key, int(allowed), int(window))])
    if wait:
        raise Problem(
            429,
            f"At most {allowed} {action} requests per {window} s per user; try again later.",
            headers={"Retry-After": str(wait)},
        )
