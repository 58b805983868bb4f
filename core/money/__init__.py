"""Money: what is owed and what was paid.

Reads (re-exported here): amount due, ageing, escalation, allocation, rates; the one
set-based amount due is ``due_sql.bills_due``. Writes, each exactly once through
``core.insert_once`` on an append-only ledger: ``payments``, ``reversals``,
``quarantine``, ``cash`` (custody: ``custody``), ``group_payments``, ``deposits``
(prepaid). Functions take a ``Session`` first and never commit.
"""

from core.money.aging import AgeBuckets, Stage, age_buckets, escalation_stage
from core.money.allocation import AllocationLine, AllocationPlan, plan_allocation
from core.money.arrears_sql import arrears_by_age
from core.money.due import AmountDue, BillDue, amount_due, local_date
from core.money.due_many import dues_of
from core.money.invariants import check_ledger
from core.money.rates import rate_schedule, rates_for

__all__ = [
    "AgeBuckets",
    "AllocationLine",
    "AllocationPlan",
    "AmountDue",
    "BillDue",
    "Stage",
    "age_buckets",
    "amount_due",
    "arrears_by_age",
    "check_ledger",
    "dues_of",
    "escalation_stage",
    "local_date",
    "plan_allocation",
    "rate_schedule",
    "rates_for",
]
