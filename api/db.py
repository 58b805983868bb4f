"""The app's engine and per-request sessions, bound in the app factory (no module-level
engine); the database helpers themselves are in :mod:`core.db`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine


def init_app(app: Flask) -> None:
    engine = make_engine(
        app.config["DATABASE_URL"],
        statement_timeout_ms=app.config["STATEMENT_TIMEOUT_MS"],
        role=app.config["DATABASE_ROLE"],
    )
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The request's session, created on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    session: Session = g.db_session
    return session


def get_read_session() -> Session:
    """The request's session for a view that only reads, its statements in autocommit:
    no BEGIN and no ROLLBACK round trip around them (at READ COMMITTED each statement
    has its own snapshot in a transaction too, so the answers are the same). Never for a
    view that writes: each statement would commit on its own. Where the sessions join an
    outer connection (the tests' rolled-back transaction), the usual session."""
    if "db_session" not in g:
        maker = current_app.extensions["db_sessionmaker"]
        bind = maker.kw.get("bind")
        if isinstance(bind, Engine):
            g.db_session = maker(bind=bind.execution_options(isolation_level="AUTOCOMMIT"))
    return get_session()


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def autocommit_connection() -> Iterator[Connection]:
    """A pooled connection for a read outside the request's transaction, in autocommit:
    psycopg then sends the statement alone, where a transaction costs a BEGIN and a
    ROLLBACK round trip around it (the token check of a request served from the route
    cache is its only SQL). Where the sessions join an outer connection (the tests'
    rolled-back transaction), that connection."""
    bind = current_app.extensions["db_sessionmaker"].kw.get("bind")
    if isinstance(bind, Connection):
        yield bind
        return
    with current_app.extensions["db_engine"].connect() as connection:
        yield connection.execution_options(isolation_level="AUTOCOMMIT")
