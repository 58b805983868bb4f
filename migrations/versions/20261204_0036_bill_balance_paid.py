"""bill_balance records when and how each bill was paid: the latest ``collected_at`` of
the payments (and reversals) allocated to it and whether any was taken at the door, kept
by the allocation trigger of 0029 in the same UPDATE as the outstanding principal

Revision ID: 0036
Revises: 0037
Create Date: 2026-12-04 06:00:00

The planner's payment records (``core.planning.candidates.payment_records``: bills
settled after their due date without a collector, and their days overdue) read the
bills' rows alone instead of probing each settled bill's allocations and their payments
(107,504 probes of each for a station of the 1M county, 0.4-0.7 s of a 2-3 s gather).
The ledger is append-only (allocations and payments are never updated or deleted), so
both columns only grow: ``greatest`` and ``OR``, which commute between concurrent
writers on the row the UPDATE locks. ``core.money.balance`` recounts and checks them.

The backfill rewrites every ``bill_balance`` row that has an allocation (about 10
million on the 1M county); the account sums' trigger is off meanwhile (none of the sums
it keeps moves). Autovacuum may be off where bulk loads run: ``VACUUM (ANALYZE)
bill_balance`` after upgrading a big database.
"""
import sqlalchemy as sa
from alembic import op

revision = '0036'
down_revision = '0037'
branch_labels = None
depends_on = None

_DOOR = "('field_cash', 'field_qr')"

#: A payment's allocations move the bills' principal and record when and how they were
#: paid (a LEFT JOIN: the principal moves even if the payment were not found).
_ON_ALLOCATION = f"""
    UPDATE bill_balance bb
    SET outstanding = bb.outstanding - a.principal,
        last_paid_at = greatest(bb.last_paid_at, a.last_paid_at),
        paid_at_door = bb.paid_at_door OR coalesce(a.at_door, false)
    FROM (SELECT n.bill_id, sum(n.principal) AS principal,
                 max(p.collected_at) AS last_paid_at,
                 bool_or(p.channel IN {_DOOR}) AS at_door
          FROM new_rows n LEFT JOIN payment p ON p.id = n.payment_id
          GROUP BY n.bill_id) a
    WHERE bb.bill_id = a.bill_id
"""

_ON_ALLOCATION_0029 = """
    UPDATE bill_balance bb SET outstanding = bb.outstanding - a.principal
    FROM (SELECT bill_id, sum(principal) AS principal FROM new_rows GROUP BY bill_id) a
    WHERE bb.bill_id = a.bill_id AND a.principal <> 0
"""

_BACKFILL = f"""
    UPDATE bill_balance bb
    SET last_paid_at = a.last_paid_at, paid_at_door = a.at_door
    FROM (SELECT pa.bill_id, max(p.collected_at) AS last_paid_at,
                 bool_or(p.channel IN {_DOOR}) AS at_door
          FROM payment_allocation pa JOIN payment p ON p.id = pa.payment_id
          GROUP BY pa.bill_id) a
    WHERE bb.bill_id = a.bill_id
"""


def _replace(body: str) -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION bill_balance_on_allocation() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$"
    )


def upgrade() -> None:
    op.add_column('bill_balance', sa.Column('last_paid_at', sa.DateTime(timezone=True),
                                            nullable=True))
    op.add_column('bill_balance', sa.Column('paid_at_door', sa.Boolean(), nullable=False,
                                            server_default=sa.text('false')))
    op.execute("ALTER TABLE bill_balance DISABLE TRIGGER account_balance_update")
    op.execute(_BACKFILL)
    op.execute("ALTER TABLE bill_balance ENABLE TRIGGER account_balance_update")
    _replace(_ON_ALLOCATION)


def downgrade() -> None:
    _replace(_ON_ALLOCATION_0029)
    op.drop_column('bill_balance', 'paid_at_door')
    op.drop_column('bill_balance', 'last_paid_at')
