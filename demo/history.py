"""A year of bills, payments through every channel, and past visits, for the demo county.

Payment behaviour comes from the hidden truth (``demo.truth``); late payments
carry the classic late fee. Every knock at a door is recorded, as the phone records
"nobody home" with one tap: the failed knocks before each payment at the door as well as
the visits to accounts still owing, each drawn from the truth on its day (the station's
return periods and market days, ``demo.seasons``). Migrant households pay when they are
home, in the first festival or harvest return after the bill falls due.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.models import (
    Bill,
    Category,
    Channel,
    EntryKind,
    Outcome,
    Payment,
    PaymentAllocation,
    Station,
    Visit,
)
from core.models.ledger_extra import CashEvent
from core.money.canonical import body_hash
from core.money.fees import late_fee
from core.planning.calendar import StationCalendar
from demo.truth import DEFAULT, Behaviour, Family, behaviour

NS = uuid.UUID("2f1c7d0e-5b7a-4c4e-9a8e-6d1f0b3c9a11")
TZ = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has no DST
PRICE = {
    Category.RESIDENTIAL: Decimal("0.4983"),
    Category.NON_RESIDENTIAL: Decimal("0.6500"),
    Category.TEMPORARY: Decimal("0.8000"),
    Category.GROUP_MEMBER: Decimal("0.6500"),
}
ONLINE = [
    Channel.ALIPAY,
    Channel.WECHAT,
    Channel.BANK,
    Channel.COUNTER,
    Channel.KIOSK,
    Channel.PREPAID,
]
ONLINE_WEIGHTS = [30, 28, 15, 12, 8, 7]
#: When a collector hands the day's cash to the station.
HANDOVER_TIME = dt.time(18, 0)


def months_back(today: dt.date, n: int) -> list[dt.date]:
    """The ``n`` most recent billing periods whose bills were issued by ``today``."""
    first = dt.date(today.year, today.month, 1)
    periods = []
    y, m = first.year, first.month
    for _ in range(n):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        periods.append(dt.date(y, m, 1))
    return sorted(periods)


def _handovers(
    pay_rows: list[dict[str, object]], station: Station, seed: int, supervisor_id: int
) -> list[dict[str, object]]:
    """Each collector hands the station each day's field cash at the end of that day, as
    stations require: the demo's cash custody starts with nothing in anybody's hand."""
    by_day: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    for row in pay_rows:
        if row["channel"] is Channel.FIELD_CASH:
            at: dt.datetime = row["collected_at"]  # type: ignore[assignment]
            key = (int(row["collector_id"]), at.astimezone(TZ).date())  # type: ignore[call-overload]
            by_day[key] += row["amount"]  # type: ignore[operator]
    rows: list[dict[str, object]] = []
    for (collector, day), amount in sorted(by_day.items()):
        event_id = uuid.uuid5(NS, f"{seed}:{station.code}:handover:{collector}:{day}")
        occurred = dt.datetime.combine(day, HANDOVER_TIME, TZ)
        rows.append(
            {
                "id": event_id,
                "kind": "handover",
                "collector_id": collector,
                "station_id": station.id,
                "amount": amount,
                "occurred_at": occurred,
                "business_date": day,
                "actor_id": supervisor_id,
                "body_hash": body_hash(
                    {"id": event_id, "collector_id": collector, "amount": amount, "at": occurred}
                ),
            }
        )
    return rows


def due_date(period: dt.date) -> dt.date:
    y, m = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return dt.date(y, m, 10)


def _knock_time(
    rng: random.Random,
    truth: Behaviour,
    calendar: StationCalendar,
    village: str,
    first: dt.date,
    last: dt.date,
) -> tuple[dt.datetime, bool, bool]:
    """A weekday knock between ``first`` and ``last``: when, home or not, paying or not."""
    span = max(0, (last - first).days)
    day = first + dt.timedelta(days=rng.randint(0, span))
    while day.weekday() >= 5 and day > first:
        day -= dt.timedelta(days=1)
    hour = rng.randint(8, 17)
    ctx = calendar.context(day, village)
    home = rng.random() < truth.home_at_on(hour, ctx)
    pays = home and rng.random() < truth.pay_prob
    return dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), TZ), home, pays


def _bill_amount(
    rng: random.Random, category: Category, period: dt.date, base_kwh: float
) -> Decimal:
    season = 1.35 if period.month in (1, 2, 7, 8, 12) else 1.0
    kwh = max(15.0, rng.gauss(base_kwh * season, base_kwh * 0.15))
    return (Decimal(str(round(kwh))) * PRICE[category]).quantize(Decimal("0.01"))


def bills_and_payments(
    session: Session,
    rng: random.Random,
    station: Station,
    account_rows: list[dict[str, object]],
    ids: Sequence[int],
    owner_of: dict[int, int],
    periods: list[dt.date],
    seed: int,
    today: dt.date,
    supervisor_id: int,
    family: Family = DEFAULT,
    calendar: StationCalendar | None = None,
) -> tuple[int, int, int]:
    calendar = calendar or StationCalendar()
    returns = sorted(
        (p.first_day, p.last_day) for p in calendar.periods if p.kind.value != "holiday"
    )
    village_of = {
        acc_id: str(row["village"]) for row, acc_id in zip(account_rows, ids, strict=True)
    }
    bill_rows, bill_meta = [], []
    for row, acc_id in zip(account_rows, ids, strict=True):
        category: Category = row["category"]  # type: ignore[assignment]
        base = {
            Category.RESIDENTIAL: rng.uniform(60, 320),
            Category.NON_RESIDENTIAL: rng.uniform(500, 6000),
            Category.TEMPORARY: rng.uniform(800, 4000),
            Category.GROUP_MEMBER: rng.uniform(1500, 2600),
        }[category] * family.kwh
        active = periods[-rng.randint(3, 7) :] if category is Category.TEMPORARY else periods
        for period in active:
            bill_rows.append(
                {
                    "account_id": acc_id,
                    "period": period,
                    "amount": _bill_amount(rng, category, period, base),
                    "due_date": due_date(period),
                }
            )
            bill_meta.append((acc_id, str(row["number"]), category))
        if family.old_debts and rng.random() < family.old_debts:
            kind = behaviour(seed, str(row["number"]), family).kind
            if kind in ("chronic", "migrant", "refuser"):
                # Arrears brought forward from two to three years ago, never paid.
                old = periods[0].replace(year=periods[0].year - rng.randint(2, 3))
                bill_rows.append(
                    {
                        "account_id": acc_id,
                        "period": old,
                        "amount": _bill_amount(rng, category, old, base * rng.uniform(6, 18)),
                        "due_date": due_date(old),
                    }
                )
                bill_meta.append((acc_id, "", category))  # no number: left unpaid
    bill_ids = session.scalars(
        insert(Bill).returning(Bill.id, sort_by_parameter_order=True), bill_rows
    ).all()
    n_bills = len(bill_ids)

    pay_rows, alloc_rows, visit_rows = [], [], []
    receipt = 0
    for bill_id, brow, (acc_id, number, category) in zip(
        bill_ids, bill_rows, bill_meta, strict=True
    ):
        if not number:  # an old debt brought forward: unpaid
            continue
        truth = behaviour(seed, number, family)
        due: dt.date = brow["due_date"]  # type: ignore[assignment]
        issued = due - dt.timedelta(days=9)
        kind = truth.kind
        delay: int | None
        if category is Category.GROUP_MEMBER:
            kind = "punctual" if rng.random() < 0.8 else "late"
        if kind == "punctual":
            delay = rng.randint(-9, 0) if rng.random() < 0.96 else rng.randint(3, 25)
        elif kind == "late":
            delay = rng.randint(8, 70)
        elif kind == "chronic":
            delay = rng.randint(20, 200) if rng.random() < 0.6 else None
        elif kind == "migrant":
            # Home for the Spring Festival or the harvest: pays then.
            back = next(((a, b) for a, b in returns if b > due), None)
            if back is None or rng.random() >= 0.7:
                delay = None
            else:
                start = max(back[0], due + dt.timedelta(days=1))
                day = start + dt.timedelta(days=rng.randint(0, max(0, (back[1] - start).days)))
                delay = (day - due).days
        else:
            delay = None if rng.random() < 0.9 else rng.randint(60, 200)
        if delay is None:
            continue
        paid_on = due + dt.timedelta(days=delay)
        if paid_on > today - dt.timedelta(days=1) or paid_on < issued:
            continue
        principal: Decimal = brow["amount"]  # type: ignore[assignment]
        fee = late_fee(principal, due, paid_on, residential=category is Category.RESIDENTIAL)
        field_pay = delay > 5 and rng.random() < 0.55 / max(1.0, family.online)
        collector = owner_of.get(acc_id) if field_pay else None
        channel = (
            rng.choice([Channel.FIELD_CASH, Channel.FIELD_CASH, Channel.FIELD_QR])
            if collector
            else rng.choices(ONLINE, ONLINE_WEIGHTS)[0]
        )
        village = village_of[acc_id]
        hour = rng.randint(8, 17)
        if collector:
            # The paying knock found them home: its hour follows their presence that day.
            ctx = calendar.context(paid_on, village)
            for _ in range(20):
                if rng.random() < truth.home_at_on(hour, ctx):
                    break
                hour = rng.randint(8, 17)
            # The knocks that failed before it, each recorded.
            reach = max(0.05, sum(truth.home_on(calendar.context(paid_on, village))) / 4)
            failures = 0
            while failures < 12 and rng.random() > reach * truth.pay_prob:
                failures += 1
            for k in range(failures):
                for _ in range(10):
                    at_k, home_k, pays_k = _knock_time(
                        rng, truth, calendar, village, due + dt.timedelta(days=5), paid_on
                    )
                    if not pays_k:
                        break
                if at_k.date() >= paid_on or pays_k:
                    continue
                promise_k = home_k and rng.random() < 0.4
                visit_rows.append(
                    {
                        "id": uuid.uuid5(NS, f"{seed}:{station.code}:knock:{bill_id}:{k}"),
                        "account_id": acc_id,
                        "collector_id": collector,
                        "outcome": Outcome.NOBODY_HOME
                        if not home_k
                        else Outcome.PROMISE
                        if promise_k
                        else Outcome.REFUSED,
                        "device_time": at_k,
                        "fix": None,
                        "notes": None,
                        "promise_date": at_k.date() + dt.timedelta(days=rng.randint(3, 15))
                        if promise_k
                        else None,
                    }
                )
        at = dt.datetime.combine(paid_on, dt.time(hour, rng.randint(0, 59)), TZ)
        pid = uuid.uuid5(NS, f"{seed}:{station.code}:pay:{bill_id}")
        receipt_no = None
        if collector:
            receipt += 1
            receipt_no = f"{station.code}-{paid_on:%Y%m}-{receipt:06d}"
        pay_rows.append(
            {
                "id": pid,
                "kind": EntryKind.PAYMENT,
                "account_id": acc_id,
                "amount": principal + fee,
                "channel": channel,
                "channel_txn_id": None
                if collector
                else f"{channel.value[:2].upper()}{pid.hex[:20]}",
                "collector_id": collector,
                "collected_at": at,
                "device_id": f"demo-phone-{collector}" if collector else None,
                "receipt_no": receipt_no,
                "actor_id": collector,
            }
        )
        alloc_rows.append(
            {"payment_id": pid, "bill_id": bill_id, "principal": principal, "late_fee": fee}
        )
        if collector:
            visit_rows.append(
                {
                    "id": uuid.uuid5(NS, f"{seed}:{station.code}:visit-paid:{bill_id}"),
                    "account_id": acc_id,
                    "collector_id": collector,
                    "outcome": Outcome.PAID,
                    "device_time": at,
                    "fix": None,
                    "notes": None,
                    "promise_date": None,
                }
            )
    session.execute(insert(Payment), pay_rows)
    session.execute(insert(PaymentAllocation), alloc_rows)
    handovers = _handovers(pay_rows, station, seed, supervisor_id)
    if handovers:
        session.execute(insert(CashEvent), handovers)
    n_payments = len(pay_rows)

    # Unsuccessful visits of the past months, drawn from the hidden truth on their day.
    for row, acc_id in zip(account_rows, ids, strict=True):
        truth = behaviour(seed, str(row["number"]), family)
        if truth.kind == "punctual" or acc_id not in owner_of:
            continue
        village = str(row["village"])
        for _ in range(rng.randint(2, 7)):
            day = today - dt.timedelta(days=rng.randint(2, 360))
            if day.weekday() >= 5:
                day -= dt.timedelta(days=day.weekday() - 4)
            hour = rng.randint(8, 17)
            at = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), TZ)
            if rng.random() > truth.home_at_on(hour, calendar.context(day, village)):
                outcome, promise = Outcome.NOBODY_HOME, None
            elif rng.random() < truth.pay_prob * 0.5:
                outcome, promise = Outcome.PROMISE, day + dt.timedelta(days=rng.randint(3, 15))
            else:
                outcome, promise = Outcome.REFUSED, None
            visit_rows.append(
                {
                    "id": uuid.uuid5(NS, f"{seed}:{station.code}:visit:{acc_id}:{day}:{hour}"),
                    "account_id": acc_id,
                    "collector_id": owner_of[acc_id],
                    "outcome": outcome,
                    "device_time": at,
                    "promise_date": promise,
                    "fix": None,
                    "notes": None,
                }
            )
    dedup = {r["id"]: r for r in visit_rows}
    session.execute(insert(Visit), list(dedup.values()))
    return n_bills, n_payments, len(dedup)
