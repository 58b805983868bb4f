"""Cached reads in Redis under a version-derived ETag: the collector's day documents
(route, pack), the account card and the account list pages.

A document's version is a hash of what it is (its name: kind, caller, day, options) and
of the version counters it follows, kept in Redis (:class:`RouteCache` names them: a
collector's day, a station's late-fee rates, an account, a station's accounts, the
county); its ETag is that version or its content hash (the pack's, the card's). The
document is stored under its name with the version it was built at, so one ``MGET``
reads the counters and the document together: a current document is served, or a
revalidation whose ``If-None-Match`` matches answers 304, after one Redis round trip and
no query but the token check; a miss builds the document once and stores it
(``DOC_TTL_S``).

The counters move after every commit that changes what a document shows, whichever
code path wrote it (a Session event, for the API and the worker alike): the collectors
and accounts :func:`core.field.route_versions.touched` names (payments through any
channel, visits, account edits, bills, plans and routes written, cash events) and the
accounts' stations, a station's when its late-fee rates change, the county's for a
national rate or a bulk statement on plans, routes or stops, all accounts' for a bulk
statement on accounts or bills. Counters start from a random value, so a flushed Redis
never brings an old ETag back. When Redis is down every request builds its document
from the database, as before.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple, TypeVar, cast
from zoneinfo import ZoneInfo

import redis
from flask import Flask, Response, after_this_request, current_app, g, request
from sqlalchemy.orm import ORMExecuteState, Session

from api.session_hooks import SessionHooks, redis_text
from core.field.route_versions import touched
from core.models import (
    Account,
    Bill,
    Payment,
    PaymentAllocation,
    Plan,
    Route,
    Station,
    Stop,
    Territory,
    Visit,
)
from core.models.ledger_extra import CashEvent, CashReconciliation, LateFeeRate
from core.scope import Scope

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

DOC_TTL_S = 15 * 60
#: More accounts changed at once (an import, a seed) move ``a:all`` instead of each one.
MAX_ACCOUNT_BUMPS = 500
VERSION_TTL_S = 3 * 24 * 3600
#: Tables whose bulk (non-ORM-object) writes change every document.
_BULK_TABLES = {"plan", "route", "stop", "late_fee_rate"}
_INFO = "route_cache"
#: Tables whose bulk writes change accounts' cards and lists, which ones unknown.
_ACCOUNT_TABLES = {"account", "bill", "payment_allocation", "bill_adjustment"}
#: Tables whose inserted rows name the account they concern.
_ACCOUNT_ROWS = {"payment", "visit", "bill", "quarantined_payment"}


class Entry(NamedTuple):
    """A stored answer: its ETag, the headers kept with it (a list's next-page links) and
    its body."""

    etag: str
    headers: dict[str, str]
    body: bytes


class Lookup(NamedTuple):
    """A document's version tag, its Redis key, and its stored entry if current."""

    version: str
    key: str
    stored: Entry | None


#: Response headers stored with a cached answer (set by the view, e.g. pagination's).
_KEPT_HEADERS = ("X-Next-Cursor", "Link")


class RouteCache:
    """Versions and documents in one Redis database, under ``prefix``.

    A version counter is named by what it follows: ``c:{collector}`` a collector's day,
    ``s:{station}`` a station's late-fee rates, ``all`` everything, ``a:{account}`` one
    account (its row, bills, payments, visits), ``sa:{station}`` any account of a station,
    ``a:all`` accounts written in bulk (which ones unknown). A document names the
    counters it depends on; its version is a hash of its name and their values."""

    def __init__(self, client: redis.Redis, prefix: str = "routedoc") -> None:
        self.redis = client
        self.prefix = prefix

    def keys(self, name: str, counters: Sequence[str]) -> list[str]:
        """Every key :meth:`lookup` reads for the document ``name`` (its counters', then
        its own)."""
        return [*(f"{self.prefix}:v:{c}" for c in counters), f"{self.prefix}:d:{name}"]

    def lookup(
        self, name: str, counters: Sequence[str], read: dict[str, Any] | None = None
    ) -> Lookup | None:
        """The current version tag of the document ``name`` that follows ``counters``,
        and its stored entry when that entry was built at this version, in one Redis
        round trip (the counters and the entry in one ``MGET``, or taken from ``read``:
        the values read with the token's check, when it holds every key); None when
        Redis cannot say."""
        *keys, doc_key = self.keys(name, counters)
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
        raw = "|".join([name, *map(redis_text, values)])
        version = hashlib.sha256(raw.encode()).hexdigest()[:40]
        stored = None
        if isinstance(entry, bytes):
            built_at, etag, headers, body = entry.split(b"\n", 3)
            if built_at.decode() == version:
                kept = json.loads(headers) if headers else {}
                stored = Entry(etag.decode(), kept, body)
        return Lookup(version, doc_key, stored)

    def put(self, found: Lookup, entry: Entry) -> None:
        """Store ``entry`` as built at ``found``'s version. A build that raced a write
        may store a version already gone: the next lookup misses it."""
        headers = json.dumps(entry.headers).encode() if entry.headers else b""
        stored = b"\n".join([found.version.encode(), entry.etag.encode(), headers, entry.body])
        try:
            self.redis.set(found.key, stored, ex=DOC_TTL_S)
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

    def bump(self, counters: Iterable[str]) -> None:
        """Move the named version counters (after a commit that changed what they follow)."""
        keys = [f"{self.prefix}:v:{c}" for c in counters]
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
        remember_scope(scope)
        found = cache.lookup(*day_document(kind, scope, day, extra), _read_with_token())
    return _serve(cache, found, build, content_etag)


def day_document(kind: str, scope: Scope, day: dt.date, extra: str) -> tuple[str, list[str]]:
    """A collector's day document (route, pack): its name, and the counters it follows
    (the collector's, their stations' late-fee rates', everything's)."""
    counters = [f"c:{scope.user_id}", *(f"s:{s}" for s in sorted(scope.station_ids)), "all"]
    return f"{kind}:{scope.user_id}:{day.isoformat()}:{extra}", counters


def cached_read(
    name: str,
    counters: Sequence[str] | None,
    build: Callable[[], Any],
    content_etag: Callable[[Any], str] | None = None,
) -> Response:
    """A read answered as :func:`cached_document` does, for the document ``name`` (which
    must name all it depends on but the counters: the caller's scope, the arguments, the
    day) following ``counters`` (None: not cached); the headers a list's paging sets are
    kept with it."""
    found = lookup_read(name, counters) if counters is not None else None
    return serve_found(found, build, content_etag)


def lookup_read(name: str, counters: Sequence[str]) -> Lookup | None:
    """:func:`cached_read`'s lookup alone (the keys read with the token's check, if so):
    for a view that answers from the cache before it parses its arguments."""
    cache: RouteCache = current_app.extensions["route_cache"]
    return cache.lookup(name, counters, _read_with_token())


def serve_found(
    found: Lookup | None,
    build: Callable[[], Any],
    content_etag: Callable[[Any], str] | None = None,
) -> Response:
    """:func:`cached_read`'s answer once looked up (``found``: None, not cached)."""
    return _serve(current_app.extensions["route_cache"], found, build, content_etag)


def _read_with_token() -> dict[str, Any] | None:
    read: dict[str, Any] | None = g.pop("arrears_read_with_token", None)
    return read


def _serve(
    cache: RouteCache,
    found: Lookup | None,
    build: Callable[[], Any],
    content_etag: Callable[[Any], str] | None,
) -> Response:
    if found is not None and found.stored is not None:
        etag, headers, body = found.stored
        return _answer(None if _matches(etag) else body, etag, headers)
    if found is not None and content_etag is None and _matches(found.version):
        return _answer(None, found.version)  # the entry expired, the version stands
    document = build()
    body = current_app.json.dumps(document, separators=(",", ":")).encode()
    if content_etag is not None:
        etag_text = content_etag(document)
    else:
        etag_text = found.version if found else hashlib.sha256(body).hexdigest()[:40]
    if found is not None:
        at = found

        @after_this_request
        def _keep(response: Response) -> Response:
            # After the view's own after-request hooks (registered while it built): the
            # headers they set are stored with the body.
            if response.status_code in (200, 304):
                kept = {k: response.headers[k] for k in _KEPT_HEADERS if k in response.headers}
                cache.put(at, Entry(etag_text, kept, body))
            return response

    return _answer(None if _matches(etag_text) else body, etag_text)


def _matches(etag: str) -> bool:
    return request.if_none_match.contains_weak(etag) or request.if_none_match.star_tag


def _answer(body: bytes | None, etag: str, headers: dict[str, str] | None = None) -> Response:
    if body is None:
        resp = Response(status=304)
    else:
        resp = Response(body, status=200, mimetype="application/json")
    resp.set_etag(etag)
    resp.headers["Cache-Control"] = "private, no-cache"
    if headers:
        resp.headers.update(headers)
    return resp


#: Each user's scope as last seen by this process: which keys to read with the token's
#: check (a hint: a wrong one only costs the lookup's own ``MGET``).
_SCOPES: dict[int, Scope] = {}


def remember_scope(scope: Scope) -> None:
    """Keep ``scope`` as its user's hint for :func:`read_with_token`."""
    if _SCOPES.get(scope.user_id) != scope:
        if len(_SCOPES) >= 100_000:
            _SCOPES.clear()
        _SCOPES[scope.user_id] = scope


def read_with_token(
    document: Callable[[Scope], tuple[str, Sequence[str]] | None],
) -> Callable[[F], F]:
    """Decorate a view (above ``@jwt_required``) whose answer :func:`cached_document` or
    :func:`cached_read` serves: the token's check reads the answer's keys in its own
    ``MGET`` (one Redis round trip per request). ``document(scope)`` names the answer
    (name, counters) for the token's user with the scope this process last saw them
    with (None: no guess); a guess that misses costs the lookup's own ``MGET``."""

    def keys(user_id: int) -> list[str]:
        scope = _SCOPES.get(user_id)
        named = document(scope) if scope is not None else None
        if named is None:
            return []
        cache: RouteCache = current_app.extensions["route_cache"]
        return cache.keys(*named)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            g.arrears_keys_with_token = keys
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorate


def day_document_guess(kind: str, extra_arg: str = "", default_extra: str = "") -> Any:
    """For :func:`read_with_token`: a collector's day document, its day guessed from the
    query's ``date`` (else today in the zone of their first station) and its options from
    ``extra_arg``."""

    def document(scope: Scope) -> tuple[str, list[str]] | None:
        if not scope.is_collector or not scope.station_ids:
            return None
        text = request.args.get("date")
        try:
            day = dt.date.fromisoformat(text) if text else _today_in(min(scope.station_ids))
        except ValueError:
            return None
        if day is None:
            return None
        extra = request.args.get(extra_arg, default_extra) if extra_arg else ""
        return day_document(kind, scope, day, extra)

    return document


def _today_in(station_id: int) -> dt.date | None:
    zone = _ZONES.get(station_id)
    return dt.datetime.now(ZoneInfo(zone)).date() if zone else None


def local_days(session: Callable[[], Session] | None, scope: Scope, default: str) -> str | None:
    """Today in ``default``'s time zone and in each of the caller's stations' (what
    "today" means to amounts due and days overdue), as a key part. A station's zone not
    known yet is read through ``session()`` (called only then); without it, None."""
    zones = {default}
    for station_id in scope.station_ids:
        zone = _ZONES.get(station_id)
        if zone is None:
            if session is None:
                return None
            zone = station_timezone(session(), station_id)
        zones.add(zone)
    return ",".join(sorted({dt.datetime.now(ZoneInfo(z)).date().isoformat() for z in zones}))


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
            "accounts_in_bulk": False,
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
        elif isinstance(obj, Territory):  # its accounts' territory_id may move with it
            state["accounts_in_bulk"] = True


def _on_execute(orm: ORMExecuteState) -> None:
    if not (orm.is_insert or orm.is_update or orm.is_delete):
        return
    state = _state(orm.session)
    state["wrote"] = True
    table = getattr(orm.statement, "table", None)
    if getattr(table, "name", None) in _BULK_TABLES:
        state["everything"] = True
    if getattr(table, "name", None) in _ACCOUNT_TABLES:
        state["accounts_in_bulk"] = True
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
    found = touched(session, plans, routes, accounts, bills)
    state["collectors"] |= found.collectors
    state["touched_accounts"] = found.accounts


def _after_commit(session: Session) -> None:
    state = session.info.pop(_INFO, None)
    cache = _active()
    if cache is None or not state or not state["wrote"]:
        return
    accounts: dict[int, int] = state.get("touched_accounts", {})
    counters = [f"c:{c}" for c in state["collectors"]]
    counters += [f"s:{s}" for s in state["stations"]]
    if state["everything"]:
        counters.append("all")
    if state["accounts_in_bulk"] or len(accounts) > MAX_ACCOUNT_BUMPS:
        counters.append("a:all")  # every card and list follows it: no need to name them
    else:
        counters += [f"a:{a}" for a in accounts]
        counters += [f"sa:{s}" for s in set(accounts.values())]
    cache.bump(counters)


def _forget(session: Session, transaction: Any) -> None:
    # Only when the session's outermost transaction ends (a rolled-back savepoint keeps
    # what the transaction wrote before it: moving a version too many is harmless).
    if transaction.parent is None:
        session.info.pop(_INFO, None)


_HOOKS = SessionHooks(
    "route_cache",
    RouteCache,
    {
        "after_flush": _after_flush,
        "do_orm_execute": _on_execute,
        "before_commit": _before_commit,
        "after_commit": _after_commit,
        "after_transaction_end": _forget,
    },
)
install = _HOOKS.install
_active = _HOOKS.active


def init_app(app: Flask) -> None:
    """The app's cache on its Redis, moved by every commit in this process."""
    app.extensions["route_cache"] = RouteCache(
        app.extensions["redis"], prefix=app.config["ROUTE_CACHE_PREFIX"]
    )
    install(app.extensions["route_cache"])
