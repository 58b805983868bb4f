"""The access-token check answered from Redis, revoked on the very next request.

A checked access token's answer (:class:`TokenUser`) is kept under its ``jti``, stamped
with two counters read BEFORE the database check it comes from: its user's and the
county's. It is accepted only while both counters still hold those values, read in the
same ``MGET`` as the entry; the counters move AFTER the commit of every change to what
the check reads (the user's row: role, active, password, token version; its stations;
a logout; a revoked login), so a request that follows the change's answer never sees
the old entry, and a check that raced the change stored its entry under a stamp
already gone. The county's counter moves for writes whose user is not known here (a
logout, a login's revocation by family, a bulk or plain-SQL statement on those tables,
a station deleted): every user's next request is checked in the database once.

Counters start from a random value (a flushed Redis never revives an entry) and move
before the commit too: an entry outlives a change only when Redis was unreachable from
the writer at both moments yet kept its entries, and then no longer than ``ENTRY_TTL_S``.
Redis unreachable: every request is checked in the database, as without the cache.
Refresh tokens are always checked in the database (they are rare and spend state).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis
from flask import Flask
from sqlalchemy.orm import ORMExecuteState, Session

from api.auth.tokens import TokenUser
from api.session_hooks import SessionHooks, redis_text
from core.models import RefreshToken, RevokedAccessToken, Role, Station, User

log = logging.getLogger(__name__)

#: The longest an entry lives (also bounded by its token's expiry): the backstop for a
#: change committed while Redis was unreachable from its writer but kept its entries.
ENTRY_TTL_S = 300
COUNTER_TTL_S = 3 * 24 * 3600
_INFO = "token_cache"
#: The tables the check reads; a write to one whose user is not known moves everyone.
_TABLES = ("app_user", "user_station", "refresh_token", "revoked_access_token")
_WRITES_TABLE = re.compile(
    r"\b(insert\s+into|update|delete\s+from|truncate)\s+(table\s+)?(only\s+)?"
    r"(\w+\.)?\"?(" + "|".join(_TABLES) + r")\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Read:
    """One ``MGET``: the check's stamp (the two counters), the entry when current, and the
    values of the extra keys asked for with it (None for each when Redis cannot say)."""

    stamp: tuple[str, str] | None
    user: TokenUser | None
    extra: list[Any]


class TokenCache:
    """Token check entries and counters in one Redis database, under ``prefix``."""

    def __init__(self, client: redis.Redis, prefix: str = "tokcheck") -> None:
        self.redis = client
        self.prefix = prefix

    def _counters(self, user_id: int) -> list[str]:
        return [f"{self.prefix}:v:u:{user_id}", f"{self.prefix}:v:all"]

    def read(self, user_id: int, jti: str, extra: Sequence[str] = ()) -> Read:
        """The counters, the token's entry when both still hold its stamp, and ``extra``
        keys (another cache's), in one round trip."""
        counters = self._counters(user_id)
        try:
            cu, ca, entry, *rest = self.redis.mget([*counters, f"{self.prefix}:e:{jti}", *extra])
            if cu is None or ca is None:  # first use, expired or flushed: start them
                pipe = self.redis.pipeline(transaction=False)
                for key in counters:
                    pipe.set(key, secrets.randbits(62), nx=True, ex=COUNTER_TTL_S)
                pipe.mget(counters)
                (cu, ca), entry = pipe.execute()[-1], None
        except redis.RedisError:
            return Read(None, None, [None] * len(extra))
        stamp = (redis_text(cu), redis_text(ca))
        return Read(stamp, _parse(entry, stamp, user_id), rest)

    def store(self, jti: str, stamp: tuple[str, str], user: TokenUser, ttl_s: int) -> None:
        """Keep ``user`` for ``jti`` as checked after ``stamp`` was read."""
        if ttl_s <= 0:
            return
        stations = ",".join(map(str, sorted(user.station_ids)))
        entry = "|".join(
            [*stamp, str(user.id), user.role.value, "1" if user.must_change_password else "0"]
        )
        try:
            self.redis.set(f"{self.prefix}:e:{jti}", f"{entry}|{stations}", ex=ttl_s)
        except redis.RedisError:
            log.warning("token cache: could not store a check")

    def bump(self, users: Sequence[int], everyone: bool) -> bool:
        """Move the users' counters (and the county's): their entries stop holding."""
        keys = [f"{self.prefix}:v:u:{u}" for u in users]
        if everyone:
            keys.append(f"{self.prefix}:v:all")
        if not keys:
            return True
        try:
            pipe = self.redis.pipeline(transaction=False)
            for key in keys:
                pipe.incr(key)
                pipe.expire(key, COUNTER_TTL_S)
            pipe.execute()
        except redis.RedisError:
            return False
        return True


def _parse(entry: Any, stamp: tuple[str, str], user_id: int) -> TokenUser | None:
    if not isinstance(entry, bytes):
        return None
    try:
        cu, ca, uid, role, must, stations = entry.decode().split("|")
        if (cu, ca) != stamp or int(uid) != user_id:
            return None
        ids = frozenset(int(s) for s in stations.split(",") if s)
        return TokenUser(user_id, Role(role), must == "1", ids)
    except ValueError:
        return None


# -- The counters move after every commit that changes what the check reads ------------


def _state(session: Session) -> dict[str, Any]:
    state: dict[str, Any] = session.info.setdefault(_INFO, {"users": set(), "everyone": False})
    return state


def _after_flush(session: Session, _ctx: Any) -> None:
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, User):
            _state(session)["users"].add(obj.id)
        elif isinstance(obj, RefreshToken):
            _state(session)["users"].add(obj.user_id)
        elif isinstance(obj, RevokedAccessToken) or (
            isinstance(obj, Station) and obj in session.deleted
        ):  # a logout (the row names no user), a station's users' stations
            _state(session)["everyone"] = True


def _on_execute(orm: ORMExecuteState) -> None:
    """Statements (bulk or plain SQL) that write the check's tables move everyone."""
    if orm.is_select:
        return
    table = getattr(getattr(orm.statement, "table", None), "name", None)
    if (orm.is_insert or orm.is_update or orm.is_delete) and table in _TABLES:
        _state(orm.session)["everyone"] = True
    elif not (orm.is_insert or orm.is_update or orm.is_delete):
        sql = str(getattr(orm.statement, "text", ""))
        if _WRITES_TABLE.search(sql):
            _state(orm.session)["everyone"] = True


def _bump(session: Session, when: str) -> None:
    state = session.info.get(_INFO)
    cache = _active()
    if cache is None or not state or not (state["users"] or state["everyone"]):
        return
    users = sorted(u for u in state["users"] if isinstance(u, int))
    if not cache.bump(users, state["everyone"]):
        log.error("token cache: could not move the counters %s commit (Redis unreachable)", when)


def _before_commit(session: Session) -> None:
    if _active() is not None:
        session.flush()  # what is still pending is the commit's too
        _bump(session, "before")


def _after_commit(session: Session) -> None:
    _bump(session, "after")
    session.info.pop(_INFO, None)


def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_INFO, None)


_HOOKS = SessionHooks(
    "token_cache",
    TokenCache,
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
    app.extensions["token_cache"] = TokenCache(
        app.extensions["redis"], prefix=app.config["TOKEN_CACHE_PREFIX"]
    )
    install(app.extensions["token_cache"])
