"""Pure money logic over the ledger: amount due, ageing, escalation, allocation, rates.

Functions take a ``Session`` first and never import Flask.
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
