"""Group and prepaid state machine (hypothesis): invariants hold after every step."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from core.models import Bill, Category, Channel, Role
from core.money import amount_due
from core.money import deposits as prepaid_service
from core.money import group_payments as group_service
from core.money import payments as service
from core.money import reversals as reversal
from core.money.group_prepaid_checks import check_group_prepaid
from core.money.invariants import check_ledger
from core.money.prepaid import prepaid_balance
from core.scope import Scope
from tests.factories import Factory

#: Late in the suite the tables hold every earlier test's dead rows (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("vacuumed_database")

CST = dt.timezone(dt.timedelta(hours=8))
TZ = ZoneInfo("Asia/Shanghai")
CODE = "SM-GROUP"
amounts = st.integers(min_value=1, max_value=40_000).map(lambda f: Decimal(f) / 100)


def test_group_and_prepaid_invariants_hold_after_every_step(app: Any, session: Any) -> None:
    """Random group payments (some backdated), deposits, bills, auto-pays, reversals: no break."""

    class Ledger(RuleBasedStateMachine):
        groups = Bundle("groups")
        draws = Bundle("draws")

        @initialize()
        def setup(self) -> None:
            self.savepoint = session.begin_nested()
            factory = Factory(session, app)
            self.factory = factory
            self.station = factory.station()
            supervisor = factory.user(Role.SUPERVISOR, self.station)
            self.scope = Scope(supervisor.id, Role.SUPERVISOR, frozenset({self.station.id}))
            kw = {"category": Category.GROUP_MEMBER, "group_code": CODE}
            self.accounts = [factory.account(self.station, **kw) for _ in range(3)]
            self.next_month = {a.id: 1 for a in self.accounts}
            for account in self.accounts:
                self._bill(account.id, Decimal("60.00"))
            self.deposited = {a.id: Decimal("0.00") for a in self.accounts}
            #: Accounts with a reversed draw: their balance waits for the next trigger.
            self.refunded: set[int] = set()

        def teardown(self) -> None:
            if getattr(self, "savepoint", None) is not None and self.savepoint.is_active:
                self.savepoint.rollback()

        def _bill(self, account_id: int, amount: Decimal) -> Bill | None:
            month = self.next_month[account_id]
            if month > 10:
                return None
            self.next_month[account_id] = month + 1
            period = dt.date(2026, month, 1)
            bill = Bill(
                account_id=account_id,
                period=period,
                amount=amount,
                due_date=period + dt.timedelta(days=40),
            )
            session.add(bill)
            session.flush()
            return bill

        @rule(target=groups, amount=amounts, day=st.integers(1, 200), split=st.booleans())
        def group_pay(self, amount: Decimal, day: int, split: bool) -> Any:
            at = dt.datetime(2026, 4, 1, 10, tzinfo=CST) + dt.timedelta(days=day)
            shares = None
            if split:
                first = (amount / 3).quantize(Decimal("0.01"))
                shares = ((self.accounts[0].id, amount - first), (self.accounts[2].id, first))
                shares = tuple(s for s in shares if s[1] > 0)
            inp = group_service.GroupPaymentInput(
                uuid.uuid4(), CODE, amount, Channel.COUNTER, at, split=shares
            )
            result = group_service.record_group_payment(session, self.scope, inp)
            assert result.status is service.Status.CREATED
            parts = sum((p.amount for p in result.parts), Decimal(0))
            assert parts + result.payment.unallocated == amount
            return inp

        @rule(inp=groups)
        def replay_group(self, inp: group_service.GroupPaymentInput) -> None:
            result = group_service.record_group_payment(session, self.scope, inp)
            assert result.replay and result.payment.amount == inp.amount

        @rule(inp=groups)
        def tamper_group(self, inp: group_service.GroupPaymentInput) -> None:
            changed = group_service.GroupPaymentInput(
                **{**inp.__dict__, "amount": inp.amount + Decimal("0.01"), "split": None}
            )
            with pytest.raises(service.Rejected):
                group_service.record_group_payment(session, self.scope, changed)

        @rule(target=draws, amount=amounts, which=st.integers(0, 2))
        def deposit(self, amount: Decimal, which: int) -> Any:
            account = self.accounts[which]
            inp = prepaid_service.DepositInput(
                uuid.uuid4(), account.id, amount, Channel.ALIPAY, dt.datetime.now(dt.UTC)
            )
            result = prepaid_service.record_deposit(session, self.scope, inp)
            self.deposited[account.id] += amount
            again = prepaid_service.record_deposit(session, self.scope, inp)
            assert again.replay and again.balance == result.balance
            return result.draw

        @rule(target=draws, amount=amounts, which=st.integers(0, 2))
        def issue_bill(self, amount: Decimal, which: int) -> Any:
            bill = self._bill(self.accounts[which].id, amount)
            if bill is None:
                return None
            first = prepaid_service.on_bill_issued(session, bill.id, actor_id=self.scope.user_id)
            second = prepaid_service.on_bill_issued(session, bill.id, actor_id=self.scope.user_id)
            assert (first is None) == (second is None)
            if first is not None and second is not None:
                assert second.replay and second.payment.id == first.payment.id
            return first

        @rule(draw=draws)
        def reverse_draw(self, draw: prepaid_service.Draw | None) -> None:
            if draw is None:
                return
            body = reversal.ReversalInput(uuid.uuid4(), "state machine")
            try:
                reversal.reverse_payment(session, self.scope, draw.payment.id, body)
            except service.Rejected as error:
                assert error.code == "already_reversed"
            self.refunded.add(draw.payment.account_id)

        @invariant()
        def ledgers_hold(self) -> None:
            if not hasattr(self, "station"):
                return
            assert check_ledger(session, [self.station.id]) == {}
            assert check_group_prepaid(session) == {}

        @invariant()
        def balances_are_never_negative(self) -> None:
            if not hasattr(self, "station"):
                return
            today = dt.datetime.now(TZ).date()
            for account in self.accounts:
                balance = prepaid_balance(session, account.id)
                assert Decimal(0) <= balance <= self.deposited[account.id]
                if balance > 0 and account.id not in self.refunded:
                    # a balance left means nothing is owed that it could pay
                    assert amount_due(session, account.id, today).total == 0

    run_state_machine_as_test(
        Ledger,
        settings=settings(
            max_examples=10,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
