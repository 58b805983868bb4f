"""bill_balance carries what the principal-only readings need of the bill: its period,
due date and billed amount (with its adjustments), so they never read ``bill`` or
``bill_adjustment``

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-03 14:15:00

The triggers of 0029 are replaced: a bill inserted copies them, a bill updated moves
them (and the outstanding by the amount's change), an adjustment moves ``billed`` and
``outstanding`` by its delta.
"""
import sqlalchemy as sa
from alembic import op


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

_FUNCTIONS = {
    "bill_balance_on_bill_insert": """
        INSERT INTO bill_balance (bill_id, account_id, outstanding, period, due_date, billed)
        SELECT id, account_id, amount, period, due_date, amount FROM new_rows
    """,
    "bill_balance_on_bill_update": """
        UPDATE bill_balance bb
        SET outstanding = bb.outstanding + n.amount - o.amount,
            billed = bb.billed + n.amount - o.amount,
            account_id = n.account_id, period = n.period, due_date = n.due_date
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE bb.bill_id = n.id
          AND (n.amount <> o.amount OR n.account_id <> o.account_id
               OR n.period <> o.period OR n.due_date <> o.due_date)
    """,
    "bill_balance_on_adjustment": """
        UPDATE bill_balance bb
        SET outstanding = bb.outstanding + d.delta, billed = bb.billed + d.delta
        FROM (SELECT bill_id, sum(delta) AS delta FROM new_rows GROUP BY bill_id) d
        WHERE bb.bill_id = d.bill_id
    """,
}


def _replace(functions: dict[str, str]) -> None:
    for name, body in functions.items():
        op.execute(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body}; RETURN NULL; END $$"
        )


def upgrade() -> None:
    op.add_column('bill_balance', sa.Column('period', sa.Date(), nullable=True))
    op.add_column('bill_balance', sa.Column('due_date', sa.Date(), nullable=True))
    op.add_column('bill_balance', sa.Column('billed', sa.Numeric(14, 2), nullable=True))
    op.execute(
        """
        UPDATE bill_balance bb SET period = b.period, due_date = b.due_date,
               billed = b.amount + coalesce(
                   (SELECT sum(d.delta) FROM bill_adjustment d WHERE d.bill_id = b.id), 0)
        FROM bill b WHERE b.id = bb.bill_id
        """
    )
    for column in ('period', 'due_date', 'billed'):
        op.alter_column('bill_balance', column, nullable=False)
    _replace(_FUNCTIONS)


def downgrade() -> None:
    _replace({
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
    })
    for column in ('billed', 'due_date', 'period'):
        op.drop_column('bill_balance', column)
