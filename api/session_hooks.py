"""Redis caches moved by Session events: listeners registered once per process, and the
cache they move found the same way for each.

The events fire for every Session in the process (the API's and a worker's alike), so a
write moves its caches whichever code path made it. Several apps may live in one process
(e.g. one built with Redis down): the cache moved is the app in context's, else the one
last installed (a worker has no app context at commit time).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

C = TypeVar("C")


class SessionHooks(Generic[C]):
    """A cache's Session listeners and the cache they move."""

    def __init__(
        self, extension: str, kind: type[C], listeners: Mapping[str, Callable[..., Any]]
    ) -> None:
        self._extension = extension
        self._kind = kind
        self._listeners = dict(listeners)
        self._cache: C | None = None

    def install(self, cache: C) -> None:
        """Move ``cache`` after every commit of every Session in this process."""
        self._cache = cache
        for name, listener in self._listeners.items():
            if not event.contains(Session, name, listener):
                event.listen(Session, name, listener)

    def active(self) -> C | None:
        if has_app_context():
            cache = current_app.extensions.get(self._extension)
            if isinstance(cache, self._kind):
                return cache
        return self._cache


def redis_text(value: Any) -> str:
    """A Redis reply as text (clients built with or without ``decode_responses``)."""
    return value.decode() if isinstance(value, bytes) else str(value)
