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

import hashlib
from collections.abc import Callable
from typing import Any

from flask import Response, request
from sqlalchemy.orm import Session

from api.route_cache import cached_read, local_days, remember_scope
from core.accounts.customers import DEFAULT_TIMEZONE
from core.scope import Scope

__all__ = ["cached_card", "cached_list", "card_document", "list_document"]

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
    """A page of the caller's account list (``build()``: its dumped body) for this URL."""
    return _cached(list_document(scope, session), scope, build)


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
