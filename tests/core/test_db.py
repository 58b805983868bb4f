"""The engine's pool pings a connection only after it sat idle; a dropped busy one fails
its statement once (the API answers 503) and the pool connects anew."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

import core.db
from core.db import make_engine


def _pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(admin: Engine, pid: int) -> None:
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar_one()


@pytest.fixture
def pooled(engine: Engine) -> Any:
    mine = make_engine(
        engine.url.render_as_string(hide_password=False), statement_timeout_ms=5000, role=None
    )
    yield mine
    mine.dispose()


def test_an_idle_connection_dropped_by_the_server_is_replaced_at_checkout(
    pooled: Engine, engine: Engine, monkeypatch: Any
) -> None:
    """After a restart (here: its backend terminated) an idle pooled connection is
    pinged, found dead and replaced before the request's statement runs."""
    first = _pid(pooled)
    _terminate(engine, first)
    monkeypatch.setattr(core.db, "PING_AFTER_IDLE_S", 0.0)
    assert _pid(pooled) != first


def test_a_busy_connection_is_not_pinged_and_a_dropped_one_fails_once(
    pooled: Engine, engine: Engine, monkeypatch: Any
) -> None:
    """Used moments ago: no ping (no round trips added to the request); if the server
    dropped it meanwhile, its statement fails as invalidated and the next checkout
    gets a new connection."""
    monkeypatch.setattr(core.db, "PING_AFTER_IDLE_S", 3600.0)
    first = _pid(pooled)
    _terminate(engine, first)
    # With a ping at every checkout (pool_pre_ping) this would reconnect silently.
    with pytest.raises(DBAPIError) as failed, pooled.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert failed.value.connection_invalidated
    assert _pid(pooled) != first
