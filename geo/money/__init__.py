"""Pure money logic over the ledger: amount due, ageing, escalation, allocation, rates.

Functions take a ``Session`` first and never import Flask.
"""

from geo.money.aging import AgeBuckets, Stage, age_buckets, escalation_stage
from geo.money.allocation import AllocationLine, AllocationPlan, plan_allocation
from geo.money.arrears_sql import arrears_by_age
from geo.money.due import AmountDue, BillDue, amount_due, local_date
from geo.money.due_many import dues_of
from geo.money.invariants import check_ledger
from geo.money.rates import rate_schedule, rates_for

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
