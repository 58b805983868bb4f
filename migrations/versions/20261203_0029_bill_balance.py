"""bill_balance: each bill's principal outstanding (amount with its adjustments, less every
allocated principal), maintained by triggers in the transaction of every money write

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 14:00:00

A bill's row is created with the bill and moved by a delta on every write that changes
it: the bill's own amount (an UPDATE), a re-billing adjustment, a payment's or reversal's
allocations. Deltas (never a recount) keep it right under concurrent writers: each
UPDATE locks the bill's row and adds to what the last committed writer left. Bulk loads
that turn triggers off (``flask demo scale``) rebuild it with
``core.money.balance.rebuild_balances``; ``core.money.invariants`` checks it against the
ledger (``bill_balance_matches_ledger``).
"""
import sqlalchemy as sa
from alembic import op


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

_FUNCTIONS = {
    "bill_balance_on_bill_insert": """
        INSERT INTO bill_balance (bill_id, account_id, outstanding)
        SELECT id, account_id, amount FROM new_rows
    """,
    "bill_balance_on_bill_update": """
        UPDATE bill_balance bb
        SET outstanding = bb.outstanding + n.amount - o.amount, account_id = n.account_id
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE bb.bill_id = n.id AND (n.amount <> o.amount OR n.account_id <> o.account_id)
    """,
    "bill_balance_on_adjustment": """
        UPDATE bill_balance bb SET outstanding = bb.outstanding + d.delta
        FROM (SELECT bill_id, sum(delta) AS delta FROM new_rows GROUP BY bill_id) d
        WHERE bb.bill_id = d.bill_id
    """,
    "bill_balance_on_allocation": """
        UPDATE bill_balance bb SET outstanding = bb.outstanding - a.principal
        FROM (SELECT bill_id, sum(principal) AS principal FROM new_rows GROUP BY bill_id) a
        WHERE bb.bill_id = a.bill_id AND a.principal <> 0
    """,
}
_TRIGGERS = [
    ("bill_balance_bill_insert", "INSERT", "bill", "bill_balance_on_bill_insert",
     "REFERENCING NEW TABLE AS new_rows"),
    ("bill_balance_bill_update", "UPDATE", "bill", "bill_balance_on_bill_update",
     "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("bill_balance_adjustment", "INSERT", "bill_adjustment", "bill_balance_on_adjustment",
     "REFERENCING NEW TABLE AS new_rows"),
    ("bill_balance_allocation", "INSERT", "payment_allocation", "bill_balance_on_allocation",
     "REFERENCING NEW TABLE AS new_rows"),
]

#: What the triggers maintain, from the ledger (also core.money.balance.REBUILD_SQL).
_BACKFILL = """
    INSERT INTO bill_balance (bill_id, account_id, outstanding)
    SELECT b.id, b.account_id,
           b.amount + coalesce(d.delta, 0) - coalesce(a.principal, 0)
    FROM bill b
    LEFT JOIN (SELECT bill_id, sum(delta) AS delta FROM bill_adjustment GROUP BY bill_id) d
        ON d.bill_id = b.id
    LEFT JOIN (SELECT bill_id, sum(principal) AS principal FROM payment_allocation
               GROUP BY bill_id) a ON a.bill_id = b.id
"""


def upgrade() -> None:
    op.create_table(
        'bill_balance',
        sa.Column('bill_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('outstanding', sa.Numeric(14, 2), nullable=False),
        sa.ForeignKeyConstraint(['bill_id'], ['bill.id'], ondelete='CASCADE',
                                name=op.f('fk_bill_balance_bill_id_bill')),
        sa.PrimaryKeyConstraint('bill_id', name=op.f('pk_bill_balance')),
    )
    op.execute(_BACKFILL)
    # The open bills of an account (or of a page, or of a station's accounts) without
    # reading its settled ones: most bills are paid, so this index stays small.
    op.create_index('ix_bill_balance_open', 'bill_balance', ['account_id'],
                    postgresql_where=sa.text('outstanding > 0'))
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
    op.drop_table('bill_balance')
