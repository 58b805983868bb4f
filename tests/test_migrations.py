"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from geoalchemy2 import alembic_helpers
from sqlalchemy import text

from core.models import Base


def test_models_and_migrations_agree(connection):
    """Autogenerate finds nothing to do at head: every model change has its migration."""
    ctx = MigrationContext.configure(
        connection,
        opts={"include_object": alembic_helpers.include_object, "compare_type": True},
    )
    diff = [d for d in compare_metadata(ctx, Base.metadata)
            if not (isinstance(d, tuple) and d[0] == "remove_table")]
    assert diff == []


def test_postgis_and_pgrouting_are_enabled(connection):
    """The first migration enables PostGIS and pgRouting."""
    exts = set(connection.execute(text("SELECT extname FROM pg_extension")).scalars())
    assert {"postgis", "pgrouting", "btree_gist"} <= exts


@pytest.mark.as_owner  # the trigger, met by the owner (the application role is refused before)
def test_ledger_refuses_update_delete_and_truncate(factory, connection):
    """UPDATE, DELETE and TRUNCATE on the money ledger raise, whatever role connects."""
    import datetime as dt
    import uuid
    from decimal import Decimal

    from sqlalchemy.exc import DBAPIError

    from core.models import Channel, EntryKind, Payment

    account = factory.account(factory.station())
    factory.session.add(Payment(
        id=uuid.uuid4(), kind=EntryKind.PAYMENT, account_id=account.id, amount=Decimal("10.00"),
        channel=Channel.ALIPAY, collected_at=dt.datetime.now(dt.UTC)))
    factory.session.flush()
    for stmt in ("UPDATE payment SET reason = 'x'", "DELETE FROM payment",
                 "TRUNCATE payment CASCADE", "TRUNCATE payment_allocation"):
        with pytest.raises(DBAPIError, match="append-only"), connection.begin_nested():
            connection.execute(text(stmt))


def test_the_chain_has_one_head():
    """Every migration hangs on one chain (its order is in migrations/README.md)."""
    from alembic.script import ScriptDirectory

    from tests.conftest import TEST_DATABASE_URL, alembic_config

    assert len(ScriptDirectory.from_config(alembic_config(TEST_DATABASE_URL)).get_heads()) == 1
