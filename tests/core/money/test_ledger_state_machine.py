"""Ledger state machine (hypothesis): invariants hold after every step."""

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
    multiple,
    rule,
    run_state_machine_as_test,
)

from core.models import Bill, BillBalance, Channel, Role
from core.money import amount_due, cash, quarantine
from core.money import payments as service
from core.money import reversals as reversal
from core.money.invariants import check_ledger
from core.scope import Scope
from tests.factories import Factory

#: Late in the suite the tables hold every earlier test's dead rows (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("vacuumed_database")

CST = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 4, 9)
DAY_TZ = ZoneInfo("Asia/Shanghai")
#: After every collection the machine records.
LATER = dt.date(2030, 1, 1)
amounts = st.integers(min_value=1, max_value=30_000).map(lambda f: Decimal(f) / 100)


def test_ledger_invariants_hold_after_every_step(app: Any, session: Any) -> None:
    """Random payments, replays, tampering, reversals, handovers, counts: no invariant breaks."""

    class Ledger(RuleBasedStateMachine):
        payments = Bundle("payments")

        @initialize()
        def setup(self) -> None:
            self.savepoint = session.begin_nested()
            factory = Factory(session, app)  # a fresh one: its cached county is rolled back
            self.station = factory.station()
            collector = factory.user(Role.COLLECTOR, self.station)
            supervisor = factory.user(Role.SUPERVISOR, self.station)
            self.collector = Scope(collector.id, Role.COLLECTOR, frozenset({self.station.id}))
            self.supervisor = Scope(supervisor.id, Role.SUPERVISOR, frozenset({self.station.id}))
            self.accounts = [factory.account(self.station, collector) for _ in range(2)]
            self.bills: list[Bill] = []
            for account in self.accounts:
                for month in (1, 2, 3):
                    self.bills.append(
                        factory.bill(
                            account, dt.date(2026, month, 1), "60.00", dt.date(2026, month + 1, 10)
                        )
                    )
            self.stored: dict[uuid.UUID, Decimal] = {}
            self.reversed: set[uuid.UUID] = set()
            self.handed = Decimal("0.00")
            self.variance = Decimal("0.00")
            self.next_count = DAY
            self.held_back: list[uuid.UUID] = []
            self.minute = 0
            self.stranger = factory.account(
                self.station, factory.user(Role.COLLECTOR, self.station)
            )

        def teardown(self) -> None:
            if getattr(self, "savepoint", None) is not None and self.savepoint.is_active:
                self.savepoint.rollback()

        def _at(self) -> dt.datetime:
            self.minute += 1
            return dt.datetime.combine(DAY, dt.time(8), CST) + dt.timedelta(minutes=self.minute)

        @rule(target=payments, amount=amounts, which=st.integers(0, 1))
        def pay(self, amount: Decimal, which: int) -> Any:
            inp = service.PaymentInput(
                id=uuid.uuid4(),
                account_id=self.accounts[which].id,
                amount=amount,
                channel=Channel.FIELD_CASH,
                collected_at=self._at(),
            )
            result = service.record_payment(session, self.collector, inp, backdate_window=None)
            self.stored[inp.id] = amount
            if self.next_count > DAY:
                # DAY's cash was counted: the upload waits for a supervisor's review.
                assert result.status is service.Status.QUARANTINED
                self.held_back.append(inp.id)
                return multiple()
            assert result.status is service.Status.CREATED
            return inp

        @rule(inp=payments)
        def replay(self, inp: service.PaymentInput) -> None:
            result = service.record_payment(session, self.collector, inp)
            assert result.replay and result.payment is not None
            assert result.payment.amount == inp.amount

        @rule(inp=payments)
        def tamper(self, inp: service.PaymentInput) -> None:
            changed = service.PaymentInput(
                **{**inp.__dict__, "amount": inp.amount + Decimal("0.01")}
            )
            with pytest.raises(service.Rejected):
                service.record_payment(session, self.collector, changed)

        @rule(inp=payments)
        def reverse(self, inp: service.PaymentInput) -> None:
            body = reversal.ReversalInput(uuid.uuid4(), "state machine")
            if inp.id in self.reversed:
                with pytest.raises(service.Rejected):
                    reversal.reverse_payment(session, self.supervisor, inp.id, body)
                return
            if cash.in_hand(session, self.collector.user_id, DAY_TZ) < inp.amount:
                with pytest.raises(service.Rejected, match="holds"):
                    reversal.reverse_payment(session, self.supervisor, inp.id, body)
                return
            reversal.reverse_payment(session, self.supervisor, inp.id, body)
            self.reversed.add(inp.id)

        @rule(share=st.integers(1, 100))
        def hand_over(self, share: int) -> None:
            held = cash.in_hand(session, self.collector.user_id, DAY_TZ)
            amount = (held * share / 100).quantize(Decimal("0.01"))
            if amount <= 0:
                return
            cash.record_handover(
                session,
                self.supervisor,
                cash.HandoverInput(uuid.uuid4(), self.collector.user_id, amount, self._at()),
            )
            self.handed += amount

        @rule(amount=amounts)
        def pay_outside_scope(self, amount: Decimal) -> None:
            inp = service.PaymentInput(
                id=uuid.uuid4(),
                account_id=self.stranger.id,
                amount=amount,
                channel=Channel.FIELD_CASH,
                collected_at=self._at(),
            )
            result = service.record_payment(session, self.collector, inp)
            assert result.status is service.Status.QUARANTINED
            self.stored[inp.id] = amount  # the cash is in the collector's hand all the same
            self.held_back.append(inp.id)

        @rule()
        def release(self) -> None:
            if not self.held_back:
                return
            result = quarantine.release(session, self.supervisor, self.held_back.pop())
            assert result.status is service.Status.CREATED

        @rule(delta=st.integers(-100, 100))
        def count(self, delta: int) -> None:
            today = dt.datetime.now(DAY_TZ).date()
            if self.next_count > today:
                return
            expected = cash.in_hand(session, self.collector.user_id, DAY_TZ)
            counted = max(Decimal("0.00"), expected + Decimal(delta) / 100)
            report = cash.reconcile(
                session,
                self.supervisor,
                cash.CountInput(uuid.uuid4(), self.collector.user_id, self.next_count, counted),
            )
            assert report.expected == expected
            assert report.opening + report.collected - report.reversed - report.handed_over == (
                report.expected
            )
            assert report.expected + report.variance == report.counted
            self.variance += report.variance
            self.next_count += dt.timedelta(days=1)

        @invariant()
        def ledger_holds(self) -> None:
            if not hasattr(self, "station"):
                return
            assert check_ledger(session, [self.station.id]) == {}

        @invariant()
        def balance_is_what_is_owed(self) -> None:
            # The maintained balance (core.money.balance), moved by each write's
            # trigger, is each bill's principal owed once every payment is dated.
            if not hasattr(self, "station"):
                return
            kept = {
                b.id: session.get(BillBalance, b.id).outstanding  # type: ignore[union-attr]
                for b in self.bills
            }
            for account in self.accounts:
                for line in amount_due(session, account.id, LATER).bills:
                    assert kept.pop(line.bill_id) == line.principal
            assert all(v == 0 for v in kept.values()), kept

        @invariant()
        def amount_due_matches_the_net_ledger(self) -> None:
            if not hasattr(self, "station"):
                return
            billed = sum((b.amount for b in self.bills), Decimal(0))
            live = sum(
                (a for pid, a in self.stored.items() if pid not in self.reversed), Decimal(0)
            )
            due = [amount_due(session, a.id, DAY) for a in self.accounts]
            owed = sum((d.principal for d in due), Decimal(0))
            fees = sum((d.late_fee for d in due), Decimal(0))
            credit = sum((d.credit for d in due), Decimal(0))
            assert owed <= billed and fees >= 0 and credit >= 0
            held = cash.in_hand(session, self.collector.user_id, DAY_TZ)
            assert held == live - self.handed + self.variance

    run_state_machine_as_test(
        Ledger,
        settings=settings(
            max_examples=10,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
