"""map change log: which stations' map data changed, in which transaction (tile ETags)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 10:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

CURRENT_XID = "(pg_current_xact_id()::text)::bigint"

# table -> the stations a statement's rows (alias r) belong to. Statement-level
# triggers with transition tables: one log row per station and statement, so bulk
# writes (imports, the demo seed, a plan's stops) stay cheap, and no counter row is
# updated (nothing serialises the writers of a station).
STATIONS = {
    "account": "SELECT r.station_id FROM {rows} r",
    "bill": "SELECT a.station_id FROM {rows} r JOIN account a ON a.id = r.account_id",
    "payment_allocation": (
        "SELECT a.station_id FROM {rows} r JOIN bill b ON b.id = r.bill_id"
        " JOIN account a ON a.id = b.account_id"
    ),
    "visit": "SELECT a.station_id FROM {rows} r JOIN account a ON a.id = r.account_id",
    "territory": "SELECT r.station_id FROM {rows} r",
    "territory_collector": (
        "SELECT t.station_id FROM {rows} r JOIN territory t ON t.id = r.territory_id"
    ),
    "plan": "SELECT r.station_id FROM {rows} r",
    "route": "SELECT p.station_id FROM {rows} r JOIN plan p ON p.id = r.plan_id",
    "stop": (
        "SELECT p.station_id FROM {rows} r JOIN route o ON o.id = r.route_id"
        " JOIN plan p ON p.id = o.plan_id"
    ),
}
# The money ledger is append-only: only inserts happen there.
EVENTS = {
    "payment_allocation": ("INSERT",),
    "visit": ("INSERT", "UPDATE"),
}
_ALL = ("INSERT", "UPDATE", "DELETE")


def _function(table: str) -> str:
    def log(rows: str) -> str:
        return (
            "INSERT INTO map_change (station_id) SELECT DISTINCT s.station_id FROM ("
            + STATIONS[table].format(rows=rows)
            + ") s WHERE s.station_id IS NOT NULL;"
        )

    return f"""
    CREATE FUNCTION map_change_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {log('new_rows')}
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            {log('old_rows')}
        END IF;
        RETURN NULL;
    END $$
    """


def _triggers(table: str) -> list[str]:
    out = []
    for event in EVENTS.get(table, _ALL):
        tables = {
            "INSERT": "NEW TABLE AS new_rows",
            "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "DELETE": "OLD TABLE AS old_rows",
        }[event]
        out.append(
            f"CREATE TRIGGER map_change_{table}_{event.lower()} AFTER {event} ON {table}"
            f" REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION map_change_{table}()"
        )
    return out


def upgrade() -> None:
    op.create_table(
        'map_change',
        sa.Column('id', sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column('xid', sa.BigInteger(), server_default=sa.text(CURRENT_XID), nullable=False),
        sa.Column('station_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_map_change')),
    )
    op.create_index('ix_map_change_station_xid', 'map_change', ['station_id', 'xid'])
    op.create_index('ix_map_change_xid', 'map_change', ['xid'])
    for table in STATIONS:
        op.execute(_function(table))
        for statement in _triggers(table):
            op.execute(statement)


def downgrade() -> None:
    for table in STATIONS:
        for event in EVENTS.get(table, _ALL):
            op.execute(f"DROP TRIGGER IF EXISTS map_change_{table}_{event.lower()} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS map_change_{table}()")
    op.drop_index('ix_map_change_xid', table_name='map_change')
    op.drop_index('ix_map_change_station_xid', table_name='map_change')
    op.drop_table('map_change')
