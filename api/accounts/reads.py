"""The account card and list pages served from the route cache (api/route_cache.py).

What a cached answer is named by: the caller's scope (role, user, stations: a collector
never reads another's answer), the account or the request's URL (path, arguments and
host, for the paging links), and today (amounts due and days overdue count to each
station's day). What it follows: the account's counter (the card) or its stations'
accounts' counter (a staff list page; a collector's: their own counter, which the change
log moves for each of their accounts), accounts written in bulk, and the late-fee rates of
the caller's stations and the county. Admins' reads are not cached (their lists span
every station; they are few). Both views read their answer's keys with the token's
check (``read_with_token``): a warm read is one Redis round trip and no SQL.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Response, g, request
from sqlalchemy.orm import Session

from api.auth.jwt import current_scope
from api.db import get_read_session
from api.route_cache import cached_read, local_days, lookup_read, remember_scope, serve_found
from core.accounts.customers import DEFAULT_TIMEZONE
from core.scope import Scope

__all__ = [
    "cached_card",
    "cached_list",
    "card_document",
    "list_before_arguments",
    "list_document",
]

F = TypeVar("F", bound=Callable[..., Any])

Named = tuple[str, list[str]] | None
#: The request's session, asked for only when needed (a warm read opens none).
SessionOf = Callable[[], Session]


def _caller(session: SessionOf | None, scope: Scope) -> str | None:
    days = local_days(session, scope, DEFAULT_TIMEZONE)
    if days is None:
        return None
    stations = ",".join(map(str, sorted(scope.station_ids)))
    return f"{scope.role.value}:{scope.user_id}:{stations}:{days}"


def _rates(scope: Scope) -> list[str]:
    return [*(f"s:{s}" for s in sorted(scope.station_ids)), "all", "a:all"]


def card_document(scope: Scope, session: SessionOf | None = None) -> Named:
    """The name and counters of the card at this URL for ``scope`` (None: not cached, or
    without ``session`` a station's zone not known yet)."""
    account_id = (request.view_args or {}).get("account_id")
    caller = _caller(session, scope)
    if scope.is_admin or caller is None or not isinstance(account_id, int):
        return None
    return f"card:{account_id}:{caller}", [f"a:{account_id}", *_rates(scope)]


def list_document(scope: Scope, session: SessionOf | None = None) -> Named:
    """The name and counters of the list page at this URL for ``scope`` (as above)."""
    caller = _caller(session, scope)
    if scope.is_admin or caller is None:
        return None
    if scope.is_collector:  # their accounts (the change log names them), wherever they lie
        counters = [f"c:{scope.user_id}", *_rates(scope)]
    else:
        counters = [*(f"sa:{s}" for s in sorted(scope.station_ids)), *_rates(scope)]
    url = hashlib.sha256(request.url.encode()).hexdigest()[:32]
    return f"accounts:{caller}:{url}", counters


def cached_card(
    session: SessionOf,
    scope: Scope,
    build: Callable[[], Any],
    content_etag: Callable[[Any], str],
) -> Response:
    """The account's card (``build()``: its dumped body) for the caller."""
    return _cached(card_document(scope, session), scope, build, content_etag)


def cached_list(session: SessionOf, scope: Scope, build: Callable[[], Any]) -> Response:
    """A page of the caller's account list (``build()``: its dumped body) for this URL
    (looked up already by :func:`list_before_arguments`, if it ran)."""
    named = list_document(scope, session)
    if named is None:
        return cached_read("", None, build)
    remember_scope(scope)
    found = g.pop(_FOUND, None) if _FOUND in g else lookup_read(*named)
    return serve_found(found, build)


_FOUND = "arrears_list_found"


def list_before_arguments(view: F) -> F:
    """Decorate the list view between ``@jwt_required`` and ``@blp.arguments``: a page
    current in the cache is answered before its query arguments are parsed (an entry
    exists only for a URL whose arguments parsed: it was built after them); otherwise the
    lookup is kept for :func:`cached_list`."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.pop(_FOUND, None)  # none left by an earlier request in the same app context
        scope = current_scope()
        named = list_document(scope, get_read_session)
        if named is not None:
            remember_scope(scope)
            found = lookup_read(*named)
            if found is not None and found.stored is not None:
                return serve_found(found, _never_built)
            setattr(g, _FOUND, found)
        return view(*args, **kwargs)

    return cast(F, wrapped)


def _never_built() -> Any:
    raise AssertionError("a stored answer is served as stored")


def _cached(
    named: Named,
    scope: Scope,
    build: Callable[[], Any],
    content_etag: Callable[[Any], str] | None = None,
) -> Response:
    if named is None:
        return cached_read("", None, build, content_etag)
    remember_scope(scope)
    return cached_read(*named, build, content_etag)
