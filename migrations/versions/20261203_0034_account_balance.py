"""account_balance: each account's open bills summed (principal outstanding now, how many,
the oldest due date, the latest period), with its station and responsible collector,
maintained by triggers from bill_balance and account in the same transaction

Revision ID: 0034
Revises: 0032
Create Date: 2026-12-03 20:10:00

Station-wide readings (workload, the account list's arrears sorts and filters) read one
row per owing account instead of reaching every open bill account by account. The
row is recounted from the account's open bills (``ix_bill_balance_open``, a few rows)
whenever one of its bills' balances moves. A recount, unlike a delta, could lose a
concurrent writer's change, so the trigger first locks the accounts' rows (in id order)
and only then recounts, in a statement whose READ COMMITTED snapshot is taken after the
lock: it sees what the last committed writer left. ``core.money.balance`` rebuilds it
after a bulk load and checks it against the ledger.
"""
import sqlalchemy as sa
from alembic import op


revision = '0034'
down_revision = '0032'
branch_labels = None
depends_on = None

#: The accounts' recount from their bills' balances (also core.money.balance).
_RECOUNT = """
    UPDATE account_balance ab
    SET open_principal = coalesce(o.principal, 0), open_bills = coalesce(o.bills, 0),
        oldest_open_due = o.oldest_due, latest_open_period = o.latest_period
    FROM (SELECT unnest(ids) AS account_id) t
    LEFT JOIN (SELECT account_id, sum(outstanding) AS principal, count(*) AS bills,
                      min(due_date) AS oldest_due, max(period) AS latest_period
               FROM bill_balance WHERE outstanding > 0 AND account_id = ANY(ids)
               GROUP BY account_id) o ON o.account_id = t.account_id
    WHERE ab.account_id = t.account_id
"""

#: ``ids``: the accounts whose bills' balances moved. The row is created if missing
#: (waiting for a concurrent creator), locked, then recounted after the lock.
_REFRESH = f"""
CREATE FUNCTION account_balance_refresh(ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_balance (account_id, station_id, responsible_id)
    SELECT id, station_id, responsible_id FROM account WHERE id = ANY(ids) ORDER BY id
    ON CONFLICT (account_id) DO NOTHING;
    PERFORM 1 FROM account_balance WHERE account_id = ANY(ids) ORDER BY account_id FOR UPDATE;
    {_RECOUNT};
END $$
"""

_FUNCTIONS = {
    "account_balance_on_insert": """
        PERFORM account_balance_refresh(
            (SELECT array_agg(DISTINCT account_id) FROM new_rows))
    """,
    "account_balance_on_update": """
        PERFORM account_balance_refresh((
            SELECT array_agg(DISTINCT account_id) FROM (
                SELECT n.account_id FROM new_rows n JOIN old_rows o ON o.bill_id = n.bill_id
                WHERE n.outstanding <> o.outstanding OR n.account_id <> o.account_id
                   OR n.due_date <> o.due_date OR n.period <> o.period
                UNION ALL
                SELECT o.account_id FROM new_rows n JOIN old_rows o ON o.bill_id = n.bill_id
                WHERE n.account_id <> o.account_id) moved))
    """,
    "account_balance_on_delete": """
        PERFORM account_balance_refresh(
            (SELECT array_agg(DISTINCT account_id) FROM old_rows
             WHERE account_id IN (SELECT id FROM account)))
    """,
    # The station and collector are the account's, copied for station-wide readings.
    "account_balance_on_account": """
        UPDATE account_balance ab SET station_id = n.station_id, responsible_id = n.responsible_id
        FROM new_rows n
        WHERE ab.account_id = n.id
          AND (ab.station_id <> n.station_id
               OR ab.responsible_id IS DISTINCT FROM n.responsible_id)
    """,
}
_TRIGGERS = [
    ("account_balance_insert", "INSERT", "bill_balance", "account_balance_on_insert",
     "REFERENCING NEW TABLE AS new_rows"),
    ("account_balance_update", "UPDATE", "bill_balance", "account_balance_on_update",
     "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("account_balance_delete", "DELETE", "bill_balance", "account_balance_on_delete",
     "REFERENCING OLD TABLE AS old_rows"),
    ("account_balance_account", "UPDATE", "account", "account_balance_on_account",
     "REFERENCING NEW TABLE AS new_rows"),
]

#: Every account with a bill, from the bills' balances (also core.money.balance).
BACKFILL = """
    INSERT INTO account_balance (account_id, station_id, responsible_id, open_principal,
                                 open_bills, oldest_open_due, latest_open_period)
    SELECT a.id, a.station_id, a.responsible_id,
           coalesce(sum(bb.outstanding) FILTER (WHERE bb.outstanding > 0), 0),
           count(*) FILTER (WHERE bb.outstanding > 0),
           min(bb.due_date) FILTER (WHERE bb.outstanding > 0),
           max(bb.period) FILTER (WHERE bb.outstanding > 0)
    FROM account a JOIN bill_balance bb ON bb.account_id = a.id
    GROUP BY a.id
"""


def upgrade() -> None:
    op.create_table(
        'account_balance',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.Integer(), nullable=False),
        sa.Column('responsible_id', sa.Integer(), nullable=True),
        sa.Column('open_principal', sa.Numeric(14, 2), nullable=False, server_default='0'),
        sa.Column('open_bills', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('oldest_open_due', sa.Date(), nullable=True),
        sa.Column('latest_open_period', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE',
                                name=op.f('fk_account_balance_account_id_account')),
        sa.PrimaryKeyConstraint('account_id', name=op.f('pk_account_balance')),
    )
    op.execute(BACKFILL)
    # A station's (or a collector's) owing accounts, largest first.
    op.create_index('ix_account_balance_station_owing', 'account_balance',
                    ['station_id', sa.text('open_principal DESC')],
                    postgresql_where=sa.text('open_bills > 0'))
    op.create_index('ix_account_balance_responsible_owing', 'account_balance',
                    ['responsible_id', sa.text('open_principal DESC')],
                    postgresql_where=sa.text('open_bills > 0'))
    # The few accounts with an open bill of a period later than some day (read bill by
    # bill): a range of this index, not a filter over a station's owing accounts.
    op.create_index('ix_account_balance_latest_open', 'account_balance',
                    ['latest_open_period'], postgresql_where=sa.text('open_bills > 0'))
    op.execute(_REFRESH)
    for name, body in _FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body}; RETURN NULL; END $$"
        )
    for trigger, event, table, function, referencing in _TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {trigger} AFTER {event} ON {table} {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )


def downgrade() -> None:
    for trigger, _event, table, _function, _referencing in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    for name in _FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.execute("DROP FUNCTION IF EXISTS account_balance_refresh(integer[])")
    op.drop_table('account_balance')
