"""Alembic environment: the database URL comes from the caller or DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine, text

from core.models import Base

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("set DATABASE_URL or sqlalchemy.url")
    return url


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # Tables that PostGIS, pgRouting and the road importer own are not ours.
    if type_ == "table" and name in {
        "spatial_ref_sys",
        "ways",
        "ways_vertices_pgr",
        "configuration",
        "pointsofinterest",
    }:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = create_engine(database_url())
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        # Concurrent upgrades (two app starts) serialise on this lock; it is released
        # with the migration's transaction, whether it commits or fails.
        connection.execute(text("SELECT pg_advisory_xact_lock(727001)"))
        context.run_migrations()


run_migrations_online()
