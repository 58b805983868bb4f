"""The request's database access outside the tests' rolled-back transaction: the token
check's autocommit connection and the read-only views' autocommit session leave nothing
behind on the pooled connection (a write after them is in a transaction again)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from api.db import autocommit_connection, get_read_session, get_session


@pytest.fixture
def one_connection_app(app: Any, monkeypatch: Any) -> Any:
    """The app with sessions on a real engine whose pool holds a single connection."""
    engine = create_engine(app.extensions["db_engine"].url, pool_size=1, max_overflow=0)
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    monkeypatch.setitem(app.extensions, "db_engine", engine)
    monkeypatch.setitem(app.extensions, "db_sessionmaker", maker)
    yield app
    engine.dispose()


def _autocommit(session_or_connection: Any) -> bool:
    connection = session_or_connection.connection()
    return bool(connection.connection.driver_connection.autocommit)


def test_the_token_checks_connection_autocommits_and_the_pool_gets_it_back_transactional(
    one_connection_app: Any,
) -> None:
    """Inside: autocommit (no BEGIN); after: the same pooled connection is transactional."""
    with one_connection_app.test_request_context():
        with autocommit_connection() as connection:
            assert connection.connection.driver_connection.autocommit
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
        assert not _autocommit(get_session())


def test_a_read_sessions_connection_goes_back_to_the_pool_transactional(
    one_connection_app: Any,
) -> None:
    """A read-only view's session autocommits; the next request's session does not."""
    with one_connection_app.test_request_context():
        assert _autocommit(get_read_session())
        assert get_session() is get_read_session()  # one session per request
    with one_connection_app.test_request_context():
        assert not _autocommit(get_session())
