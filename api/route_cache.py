"""The collector's day documents (route, pack) cached in Redis under a version-derived ETag.

A document's version is a hash of what it is (kind, collector, day, options) and of
three version counters kept in Redis: the collector's, their stations' and the county's;
its ETag is that version (the route's) or its content hash (the pack's). The document is
stored under one key per (kind, collector, day, options) with the version it was built
at, so one ``MGET`` reads the counters and the document together: a current document is
served, or a revalidation whose ``If-None-Match`` matches answers 304, after one Redis
round trip and no query but the token check; a miss builds the document once and stores
it (``DOC_TTL_S``).

The counters move after every commit that changes what a document shows, whichever
code path wrote it (a Session event, for the API and the worker alike): the collectors
:func:`core.field.route_versions.touched_collectors` names (payments through any
channel, visits, account edits, bills, plans and routes written, cash events), a
station's when its late-fee rates change, the county's for a national rate or a bulk
statement on plans, routes or stops. Counters start from a random value, so a flushed
Redis never brings an old ETag back. When Redis is down every request builds its
document from the database, as before.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, TypeVar, cast
from zoneinfo import ZoneInfo

import redis
from flask import Response, current_app, g, has_app_context, request
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from core.field.route_versions import touched_collectors
from core.models import (
    Account,
    Bill,
    Payment,
    PaymentAllocation,
    Plan,
    Route,
    Station,
    Stop,
    Visit,
)
from core.models.ledger_extra import CashEvent, CashReconciliation, LateFeeRate
from core.scope import Scope

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

DOC_TTL_S = 15 * 60
VERSION_TTL_S = 3 * 24 * 3600
#: Tables whose bulk (non-ORM-object) writes change every document.
_BULK_TABLES = {"plan", "route", "stop", "late_fee_rate"}
_INFO = "route_cache"
#: Tables whose inserted rows name the account they concern.
_ACCOUNT_ROWS = {"payment", "visit", "bill", "quarantined_payment"}


class Lookup(NamedTuple):
    """A document's version tag, its Redis key, and its stored (ETag, body) if current."""

    version: str
    key: str
    stored: tuple[str, bytes] | None


class RouteCache:
    """Versions and documents in one Redis database, under ``prefix``."""

    def __init__(self, client: redis.Redis, prefix: str = "routedoc") -> None:
        self.redis = client
        self.prefix = prefix

    def _keys(self, collector_id: int, station_ids: Iterable[int]) -> list[str]:
        keys = [f"{self.prefix}:v:c:{collector_id}"]
        keys += [f"{self.prefix}:v:s:{s}" for s in sorted(station_ids)]
        return [*keys, f"{self.prefix}:v:all"]

    def lookup(
        self,
        kind: str,
        collector_id: int,
        station_ids: Iterable[int],
        day: dt.date,
        extra: str = "",
        read: dict[str, Any] | None = None,
    ) -> Lookup | None:
        """The document's current version tag and its stored entry when that entry was
        built at this version, in one Redis round trip (the versions and the entry in one
        ``MGET``, or taken from ``read``: the values read with the token's check, when it
        holds every key); None when Redis cannot say."""
        keys = self._keys(collector_id, station_ids)
        doc_key = self._doc_key(kind, collector_id, day, extra)
        try:
            if read and all(k in read for k in (*keys, doc_key)):  # with the token's check
                values, entry = [read[k] for k in keys], read[doc_key]
            else:
                *values, entry = self.redis.mget([*keys, doc_key])
            if any(v is None for v in values):  # first use, or expired: start them
                pipe = self.redis.pipeline()
                for key, value in zip(keys, values, strict=True):
                    if value is None:
                        pipe.set(key, secrets.randbits(62), nx=True, ex=VERSION_TTL_S)
                pipe.mget(keys)
                values, entry = pipe.execute()[-1], None
        except redis.RedisError:
            return None
        raw = "|".join([kind, str(collector_id), day.isoformat(), extra, *map(_text, values)])
        version = hashlib.sha256(raw.encode()).hexdigest()[:40]
        stored = None
        if isinstance(entry, bytes):
            built_at, _, rest = entry.partition(b"\n")
            if built_at.decode() == version:
                etag, _, body = rest.partition(b"\n")
                stored = (etag.decode(), body)
        return Lookup(version, doc_key, stored)

    def _doc_key(self, kind: str, collector_id: int, day: dt.date, extra: str) -> str:
        return f"{self.prefix}:doc:{kind}:{collector_id}:{day.isoformat()}:{extra}"

    def keys(
        self, kind: str, collector_id: int, station_ids: Iterable[int], day: dt.date, extra: str
    ) -> list[str]:
        """Every key :meth:`lookup` reads for this document."""
        keys = self._keys(collector_id, station_ids)
        return [*keys, self._doc_key(kind, collector_id, day, extra)]

    def put(self, found: Lookup, etag: str, body: bytes) -> None:
        """Store ``body`` (with its ETag) as built at ``found``'s version. A build that
        raced a write may store a version already gone: the next lookup misses it."""
        entry = b"\n".join([found.version.encode(), etag.encode(), body])
        try:
            self.redis.set(found.key, entry, ex=DOC_TTL_S)
        except redis.RedisError:
            log.warning("route cache: could not store a document")

    def get_body(self, name: str) -> bytes | None:
        """A body stored by :meth:`put_body` (None when absent or Redis cannot say)."""
        try:
            body = self.redis.get(f"{self.prefix}:{name}")
        except redis.RedisError:
            return None
        return body if isinstance(body, bytes) else None

    def put_body(self, name: str, body: bytes, ttl_s: int) -> None:
        """Keep ``body`` under ``name`` (a name that changes with the content: a digest)."""
        try:
            self.redis.set(f"{self.prefix}:{name}", body, ex=ttl_s)
        except redis.RedisError:
            log.warning("route cache: could not store a body")

    def bump(self, collectors: Iterable[int], stations: Iterable[int], everything: bool) -> None:
        keys = [f"{self.prefix}:v:c:{c}" for c in collectors]
        keys += [f"{self.prefix}:v:s:{s}" for s in stations]
        if everything:
            keys.append(f"{self.prefix}:v:all")
        if not keys:
            return
        try:
            pipe = self.redis.pipeline(transaction=False)
            for key in keys:
                pipe.incr(key)
                pipe.expire(key, VERSION_TTL_S)
            pipe.execute()
        except redis.RedisError:  # the documents expire within DOC_TTL_S
            log.warning("route cache: could not move %d version(s)", len(keys))


def cached_document(
    kind: str,
    scope: Scope,
    day: dt.date,
    extra: str,
    build: Callable[[], Any],
    content_etag: Callable[[Any], str] | None = None,
) -> Response:
    """The caller's ``kind`` document of ``day`` (``extra``: its options) as a response:
    304 when ``If-None-Match`` names it, else the cached body, else ``build()``'s (then
    cached). The ETag is the version's, or ``content_etag(document)`` when given (kept
    with the cached body, so a revalidation still needs no build). Only collectors' own
    documents are cached; for anyone else (and without Redis) the ETag is the body's
    hash, or ``content_etag``'s."""
    cache: RouteCache = current_app.extensions["route_cache"]
    found = None
    if scope.is_collector:
        read = g.pop("arrears_read_with_token", None)
        found = cache.lookup(kind, scope.user_id, scope.station_ids, day, extra, read)
        _remember_stations(scope)
    if found is not None and found.stored is not None:
        etag, body = found.stored
        return _answer(None if _matches(etag) else body, etag)
    if found is not None and content_etag is None and _matches(found.version):
        return _answer(None, found.version)  # the entry expired, the version stands
    document = build()
    body = current_app.json.dumps(document, separators=(",", ":")).encode()
    if content_etag is not None:
        etag_text = content_etag(document)
    else:
        etag_text = found.version if found else hashlib.sha256(body).hexdigest()[:40]
    if found is not None:
        cache.put(found, etag_text, body)
    return _answer(None if _matches(etag_text) else body, etag_text)


def _matches(etag: str) -> bool:
    return request.if_none_match.contains_weak(etag) or request.if_none_match.star_tag


def _answer(body: bytes | None, etag: str) -> Response:
    if body is None:
        resp = Response(status=304)
    else:
        resp = Response(body, status=200, mimetype="application/json")
    resp.set_etag(etag)
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp


#: Each collector's stations as last seen by this process: which version keys to read
#: with the token's check (a hint: a wrong one only costs the separate ``MGET``).
_STATIONS: dict[int, frozenset[int]] = {}


def _remember_stations(scope: Scope) -> None:
    if _STATIONS.get(scope.user_id) != scope.station_ids:
        if len(_STATIONS) >= 100_000:
            _STATIONS.clear()
        _STATIONS[scope.user_id] = scope.station_ids


def read_with_token(kind: str, extra_arg: str = "", default_extra: str = "") -> Callable[[F], F]:
    """Decorate a view (above ``@jwt_required``) whose document :func:`cached_document`
    serves: the token's check reads the document's keys in its own ``MGET`` (one Redis
    round trip per request), guessed from the query's ``date`` (else today in the zone of
    the collector's first station) and ``extra_arg``, and the collector's stations as
    this process last saw them. A guess that misses costs the lookup's own ``MGET``."""

    def keys(user_id: int) -> list[str]:
        stations = _STATIONS.get(user_id)
        if not stations:
            return []
        text = request.args.get("date")
        try:
            day = dt.date.fromisoformat(text) if text else _today_in(min(stations))
        except ValueError:
            return []
        if day is None:
            return []
        extra = request.args.get(extra_arg, default_extra) if extra_arg else ""
        cache: RouteCache = current_app.extensions["route_cache"]
        return cache.keys(kind, user_id, stations, day, extra)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            g.arrears_keys_with_token = keys
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorate


def _today_in(station_id: int) -> dt.date | None:
    zone = _ZONES.get(station_id)
    return dt.datetime.now(ZoneInfo(zone)).date() if zone else None


_ZONES: dict[int, str] = {}


def caller_today(session: Session, scope: Scope, default: str) -> dt.date:
    """Today in the time zone of the caller's (first) station."""
    stations = sorted(scope.station_ids)
    zone = station_timezone(session, stations[0]) if stations else default
    return dt.datetime.now(ZoneInfo(zone)).date()


def station_timezone(session: Session, station_id: int) -> str:
    """The station's time zone, read once per process (a station's zone does not move)."""
    zone = _ZONES.get(station_id)
    if zone is None:
        station = session.get(Station, station_id)
        zone = station.timezone if station is not None else "Asia/Shanghai"
        _ZONES[station_id] = zone
    return zone


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


#: The cache the Session events move (one per process: the app's or the worker's).
_cache: RouteCache | None = None


def install(cache: RouteCache) -> None:
    """Move ``cache``'s versions after every commit of every Session in this process."""
    global _cache
    _cache = cache
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_transaction_end", _forget)


def _active() -> RouteCache | None:
    """The cache of the app in context (several apps may live in one process, e.g. one
    built with Redis down), else the process's last installed one (a worker)."""
    if has_app_context():
        cache = current_app.extensions.get("route_cache")
        if isinstance(cache, RouteCache):
            return cache
    return _cache


def _state(session: Session) -> dict[str, Any]:
    state: dict[str, Any] = session.info.setdefault(
        _INFO,
        {
            "wrote": False,
            "plans": set(),
            "routes": set(),
            "collectors": set(),
            "stations": set(),
            "accounts": set(),
            "bills": set(),
            "everything": False,
        },
    )
    return state


def _after_flush(session: Session, _ctx: Any) -> None:
    objects = [*session.new, *session.dirty, *session.deleted]
    if not objects:
        return
    state = _state(session)
    state["wrote"] = True
    for obj in objects:
        if isinstance(obj, Plan):
            state["plans"].add(obj.id)
        elif isinstance(obj, Route):
            state["routes"].add(obj.id)
            state["collectors"].add(obj.collector_id)
        elif isinstance(obj, Stop):
            state["routes"].add(obj.route_id)
        elif isinstance(obj, LateFeeRate):
            if obj.station_id is None:
                state["everything"] = True
            else:
                state["stations"].add(obj.station_id)
        elif isinstance(obj, CashEvent | CashReconciliation):
            state["collectors"].add(obj.collector_id)
        elif isinstance(obj, Account):
            state["accounts"].add(obj.id)
        elif isinstance(obj, Payment | Visit | Bill):
            state["accounts"].add(obj.account_id)
        elif isinstance(obj, PaymentAllocation):
            state["bills"].add(obj.bill_id)


def _on_execute(orm: ORMExecuteState) -> None:
    if not (orm.is_insert or orm.is_update or orm.is_delete):
        return
    state = _state(orm.session)
    state["wrote"] = True
    table = getattr(orm.statement, "table", None)
    if getattr(table, "name", None) in _BULK_TABLES:
        state["everything"] = True
    if orm.is_insert and getattr(table, "name", None) in _ACCOUNT_ROWS:
        # Insert-once rows (payments, visits) carry their account in their values.
        values = getattr(orm.statement, "_values", None) or {}
        for column, value in values.items():
            if getattr(column, "key", column) == "account_id":
                account_id = getattr(value, "value", None)
                if isinstance(account_id, int):
                    state["accounts"].add(account_id)


def _before_commit(session: Session) -> None:
    if _active() is None:
        return
    session.flush()  # what is still pending: its change-log rows are the transaction's
    state = session.info.get(_INFO)
    if not state or not state["wrote"]:
        return
    plans = [p for p in state["plans"] if p is not None]
    routes = [r for r in state["routes"] if r is not None]
    accounts = [a for a in state["accounts"] if isinstance(a, int)]
    bills = [b for b in state["bills"] if isinstance(b, int)]
    state["collectors"] |= touched_collectors(session, plans, routes, accounts, bills)


def _after_commit(session: Session) -> None:
    state = session.info.pop(_INFO, None)
    cache = _active()
    if cache is None or not state or not state["wrote"]:
        return
    cache.bump(state["collectors"], state["stations"], state["everything"])


def _forget(session: Session, transaction: Any) -> None:
    # Only when the session's outermost transaction ends (a rolled-back savepoint keeps
    # what the transaction wrote before it: moving a version too many is harmless).
    if transaction.parent is None:
        session.info.pop(_INFO, None)
