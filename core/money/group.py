"""How one group payment (集团客户) is split over its accounts: pure, no writes.

Oldest first across the whole group: every outstanding bill of every account, ordered
by (period, due date, account, bill); on each bill its late fee first, then its
principal. Restricted to one account that order is the account's own oldest-first
order, so each account's share allocates exactly as :func:`plan_allocation` would.
With an explicit split, each account's share goes oldest first over that account only
and whatever it does not need is that account's overpayment (credit).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.money.allocation import AllocationPlan, plan_allocation
from core.money.due import AmountDue
from core.money.ids import derived_id

ZERO = Decimal("0.00")


def part_payment_id(group_payment_id: uuid.UUID, account_id: int) -> uuid.UUID:
    """The deterministic id of the child payment a group payment makes to an account."""
    return derived_id("group-part", group_payment_id, account_id)


@dataclass(frozen=True)
class GroupShare:
    """One account's share of a group payment and how it is allocated."""

    account_id: int
    amount: Decimal
    plan: AllocationPlan


@dataclass(frozen=True)
class GroupPlan:
    shares: tuple[GroupShare, ...]
    #: What no account needed (oldest-first mode only): group credit.
    unallocated: Decimal

    @property
    def total(self) -> Decimal:
        return sum((s.amount for s in self.shares), ZERO) + self.unallocated


def plan_group(
    dues: Sequence[AmountDue], amount: Decimal, split: Mapping[int, Decimal] | None = None
) -> GroupPlan:
    """Split ``amount`` over the accounts of ``dues``; ``split`` (account id -> amount,
    summing to ``amount``) overrides the oldest-first rule. Raises ``ValueError`` for a
    non-positive amount, a split that does not add up or names an account not in ``dues``."""
    if amount <= 0:
        raise ValueError("a payment amount is positive")
    by_account = {d.account_id: d for d in dues}
    if split is not None:
        return _explicit(by_account, amount, split)
    bills = sorted(
        ((b.period, b.due_date, d.account_id, b.bill_id, b.total) for d in dues for b in d.bills),
    )
    left = amount
    share: dict[int, Decimal] = {}
    for _period, _due, account_id, _bill, total in bills:
        if left <= 0:
            break
        take = min(left, total)
        if take > 0:
            share[account_id] = share.get(account_id, ZERO) + take
            left -= take
    shares = []
    for account_id in sorted(share):
        plan = plan_allocation(by_account[account_id], share[account_id])
        assert plan.unallocated == 0  # the share is a prefix of the account's own order
        shares.append(GroupShare(account_id, share[account_id], plan))
    return GroupPlan(tuple(shares), left)


def _explicit(
    by_account: Mapping[int, AmountDue], amount: Decimal, split: Mapping[int, Decimal]
) -> GroupPlan:
    if sum(split.values(), ZERO) != amount:
        raise ValueError("the split does not add up to the amount")
    unknown = set(split) - set(by_account)
    if unknown:
        raise ValueError(f"accounts not in the group: {sorted(unknown)}")
    shares = tuple(
        GroupShare(account_id, split[account_id], plan_allocation(by_account[account_id], value))
        for account_id, value in sorted(split.items())
        if value > 0
    )
    return GroupPlan(shares, ZERO)
