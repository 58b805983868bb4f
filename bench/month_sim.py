"""A month of door-to-door collection on the demo county, against its hidden truth: prints a table.

Each simulated working day, every collector's day is planned from what the database
knows (history only), then walked stop by stop. At each door the outcome is drawn from
the demo's hidden truth (``demo.truth``: P(home) in the stop's time band, then
P(pay | home)) with common random numbers, the same for every policy: P(home) one
uniform draw per (account, day, band); P(pay | home) one per account and day
(``--pay-draw day``). ``--pay-draw contact-day`` keys it by the account's *contact days*
instead (the n-th day this month the customer answered the collector's call or was found
home at the door): two policies knocking once on the same big refuser get the same answer
whatever the day, and the evening's call and the next day's door read the same draw, as
on day draws. ``--pay-draw contact`` (stop 8, kept to recompute its rows) counted door
contacts only: until a door contact, the willingness a phone answer revealed stayed the
same day after day and predicted the door days later, a world in which calling works
differently (``bench/MONTH_SIM.md``, issue 18 stop 8). Each row names its scheme in ``pay_draw``.

Outcomes are written back as ``Visit`` rows and payments go through
``core.money.payments.record_payment`` (allocation over the bills, so amount due and
arrears move), so the next morning's plan sees them. Every calendar day some customers pay
online on their own (per hidden kind, a small daily probability, also with
common random numbers), and a promise made at the door is kept online on its date with
the customer's true P(pay).

Policies, each on its own copy of ``arrears_dev`` (``arrears_msim_<policy>``):

* ``model``: the planner, prize = amount due x P(pay) x P(home in band), from history;
* ``habit``: the baseline, each collector goes to the nearest of the ``--habit-k``
  largest debts in their territory, except doors that refused or promised in the last
  ``--habit-cooldown`` days (nobody home: tried again the next day),
  until the shift (with the same lunch break, travel times and service time) is full;
* ``amount``: the planner with every probability set to 1 (prize = amount due);
* ``idle``: nobody goes out and nobody calls: what the month brings in on its own (the
  customers' own online payments), so that what a policy's collectors *added* is its
  station money less idle's on the same draws (``month_sim_tables``);
* ``model-nofuel`` / ``model-fuel10``: the planner with the fuel price per km set to 0
  or divided by 10 (variants: the shipped planner drops visits whose expected value is
  below their fuel, which ends days early once the big debts are paid);
* ``model-day``: the planner without the month horizon (no ``1 - p_self`` factor: money
  that would come online anyway counts as the visit's); ``model-weakwindow``: with the old
  window rule (a band 0.15 above the day's mean becomes a hard window, no lift needed);
  ``model-day-weakwindow``: both, i.e. the planner before issue 6;
* ``model-nowindow``: the planner without time windows (P(home) is the day's mean for
  every stop, so no stop is tied to its best band; promises keep theirs);
* ``model-callskip``: the planner leaving out for the day a customer who said on the
  evening's call that they refuse or are away (the shipped planner visits them at a
  learned, capped P(pay) or P(home));
* ``oracle``: a reference, not a policy: the planner fed the hidden truth (P(pay),
  P(home) per band, the run's online rate) instead of its estimates, to see how much
  better estimates could gain at most with this prize and solver;
* ``oracle-pay`` / ``oracle-home`` / ``oracle-self``: the planner's own estimates with one
  part replaced by the truth (P(pay); P(home) with its return days and market effect; the
  daily rate of paying online), to tell which estimate the oracle's lead comes from.

Money per collector-day, two columns of each row: ``yuan_per_collector_day`` is the money
paid at the doors; ``collected_yuan_per_collector_day`` adds the money paid online on the
morning a customer promised it on the collector's call of the evening before (a call that
answers *pay online* takes the stop off the route and brings the money without the walk:
the door column alone would count that call's work as nothing). Promises made at the door
and kept online are left out of both, for every policy alike (``promise_online_yuan``
says how much they brought). Both count late fees; ``collected_principal_per_collector_day``
is the second without them: the bills' part, the money the station's collection rate
counts (where old debts carry years of late fees, most of a door's yuan can be fee).

Usage (from the repository root)::

    .venv/bin/python -m bench.month_sim --station LN-GUCHENG --days 3 --time-limit 3
    nohup .venv/bin/python -m bench.month_sim --time-limit 10 > month_sim.log 2>&1 &
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import hashlib
import json
import os
import subprocess
import time
import uuid
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import numpy as np
import psycopg
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from core import planning
from core.db import upgrade_database
from core.errors import NotFound
from core.field.calls import CallInput, record_call
from core.models import (
    Account,
    CallOutcome,
    Channel,
    Outcome,
    Payment,
    Role,
    Station,
    User,
    Visit,
)
from core.money import amount_due, dues_of
from core.money.payments import PaymentInput, channel_payment_id, record_payment
from core.planning import (
    PlanDraft,
    PlanRequest,
    compute,
    estimates,
    problem,
    valuation,
    vehicles,
    visit_value,
)
from core.planning import candidates as cand
from core.planning.calendar import DayContext, StationCalendar, load_calendar
from core.planning.calls import CallNote, calls_for
from core.planning.visit_value import BANDS, Rates
from core.scope import Scope
from demo.truth import DEFAULT, FAMILIES, MARKET_EFFECT, Behaviour, Family, behaviour
from geo.travel import GreatCircleProvider

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
NS = uuid.UUID("8d3c1b52-7f0e-4a8e-b1d4-5e2f9c0a6b71")
#: Daily probability that a customer with arrears pays online on their own, per hidden kind.
ONLINE_DAILY = {"punctual": 0.06, "late": 0.03, "chronic": 0.01, "migrant": 0.003, "refuser": 0.002}
#: ``--online history``: the daily rates at which the seeded history's overdue bills were
#: settled without a collector, per hidden kind (events / days overdue over the past year
#: at LN-JINGCUN, ``core.planning.candidates.self_payment_records`` grouped by kind): 2-10x
#: lower than the assumptions above.
ONLINE_DAILY_HISTORY = {
    "punctual": 0.03,
    "late": 0.011,
    "chronic": 0.0015,
    "migrant": 0.0005,
    "refuser": 0.0002,
}
#: Share of people at home who do not pay now but promise a date.
PROMISE_SHARE = 0.4
POLICIES = (
    "model",
    "habit",
    "amount",
    "idle",
    "model-nofuel",
    "model-fuel10",
    "model-nowindow",
    "model-day",
    "model-weakwindow",
    "model-day-weakwindow",
    "model-lowflat",
    "model-callskip",
    "oracle",
    "oracle-pay",
    "oracle-home",
    "oracle-self",
)


def u01(*key: object) -> float:
    """A uniform draw that depends only on ``key`` (common random numbers)."""
    h = hashlib.blake2b(":".join(map(str, key)).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2**64


def band_index(hour: int) -> int:
    for i, (a, b) in enumerate(BANDS):
        if a <= hour < b:
            return i
    return 0 if hour < BANDS[0][0] else len(BANDS) - 1


def working_days(start: dt.date, n: int) -> list[dt.date]:
    out: list[dt.date] = []
    d = start
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def fresh_copy(db: str, template: str) -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        for attempt in range(10):  # the template must have no other sessions
            try:
                conn.execute(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 9:
                    raise
                time.sleep(3)
    url = URL.format(db=db)
    upgrade_database(url)
    return url


@dataclass
class Stats:
    policy: str
    collectors: int = 0
    days: int = 0
    start_principal: Decimal = Decimal(0)
    start_total: Decimal = Decimal(0)
    start_accounts: int = 0
    end_principal: Decimal = Decimal(0)
    field_amount: Decimal = Decimal(0)
    field_principal: Decimal = Decimal(0)
    online_amount: Decimal = Decimal(0)
    online_principal: Decimal = Decimal(0)
    #: Sum over visits of amount due x the truth's P(home at that hour and pays), given what
    #: the evening's call revealed about that day (:meth:`World.p_door`): what the chosen
    #: doors were worth in expectation, without the luck of each knock.
    expected_field: float = 0.0
    #: The same without the call's answer (``expected_field`` before issue 18 stop 6).
    expected_blind: float = 0.0
    #: Per call answer about the visit's day ("none": no call): visits, homes, paid, door
    #: yuan, expected (given the answer), expected blind, and the variance of the door yuan
    #: given the visits (sum of due^2 p (1 - p)): how far from its expectation luck alone
    #: takes the realised money.
    after_call: dict[str, list[float]] = field(default_factory=dict)
    #: Per hidden kind of customer: visits, homes, paid, door yuan, expected, the sum of
    #: the plan's P(pay | home) over the visits (its mean against the truth's), variance.
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)
    by_day: list[dict[str, object]] = field(default_factory=list)
    seconds: float = 0.0
    replans: int = 0
    #: Money paid online the morning after the customer said so on the phone.
    call_online: Decimal = Decimal(0)
    #: Its principal (the bills' part; the rest is late fee).
    call_principal: Decimal = Decimal(0)
    #: Money paid online on the date promised at the door (kept promises only).
    promise_online: Decimal = Decimal(0)
    calls: Counter[str] = field(default_factory=Counter)
    #: Per visit: (planned P(pay), planned P(home), home 0/1, paid 0/1 or -1 if not home).
    calibration: list[tuple[float, float | None, int, int]] = field(default_factory=list)


@dataclass
class World:
    """The simulation's fixed inputs: station, collectors, truth, draws."""

    station: Station
    tz: ZoneInfo
    seed: int
    numbers: dict[int, str]
    draw_seed: str = "7"
    online: dict[str, float] = field(default_factory=lambda: dict(ONLINE_DAILY))
    truths: dict[int, Behaviour] = field(default_factory=dict)
    family: Family = DEFAULT
    calendar: StationCalendar = field(default_factory=StationCalendar)
    villages: dict[int, str] = field(default_factory=dict)
    #: ``--online history``: each customer's own rate (the truth's, family included).
    own_rates: bool = True
    #: (account, day) -> the band the customer named on the phone.
    appointments: dict[tuple[int, dt.date], int] = field(default_factory=dict)
    #: (account, morning) the customer said on the phone they would have paid online by.
    phoned: set[tuple[int, dt.date]] = field(default_factory=set)
    #: (account, day) -> (the call's answer, the band proposed or None) of the evening before.
    answers: dict[tuple[int, dt.date], tuple[CallOutcome, int | None]] = field(default_factory=dict)
    #: ``day``: the pay draw is keyed by the day; ``contact-day`` / ``contact``: by the
    #: account's contacts so far (``contacts``; see the module's docstring).
    pay_draw: str = "day"
    #: Per account, the contacts so far this month: days with an answered call or somebody
    #: home at the door (``contact-day``), door contacts (``contact``).
    contacts: Counter[int] = field(default_factory=Counter)
    #: Accounts in contact today (``contact-day``), counted by :meth:`close_day`.
    touched: set[int] = field(default_factory=set)

    def truth(self, account_id: int) -> Behaviour:
        t = self.truths.get(account_id)
        if t is None:
            t = self.truths[account_id] = behaviour(
                self.seed, self.numbers[account_id], self.family
            )
        return t

    def ctx(self, account_id: int, day: dt.date) -> DayContext:
        return self.calendar.context(day, self.villages.get(account_id, ""))

    def online_rate(self, t: Behaviour) -> float:
        return t.self_rate if self.own_rates else self.online[t.kind]

    def around(self, account_id: int, day: dt.date) -> bool:
        """Is the customer around on ``day`` (one draw per account and day)?"""
        t = self.truth(account_id)
        return u01(self.draw_seed, "around", account_id, day) < t.around_on(
            self.ctx(account_id, day)
        )

    def home(self, account_id: int, day: dt.date, band: int) -> bool:
        """Is somebody home in ``band`` (around, then one draw per band)?"""
        if not self.around(account_id, day):
            return False
        t = self.truth(account_id)
        if self.appointments.get((account_id, day)) == band:  # waiting for the collector
            return u01(self.draw_seed, "appointment", account_id, day) < APPOINTMENT_KEPT
        return u01(self.draw_seed, "home", account_id, day, band) < t.cond(
            band, self.ctx(account_id, day)
        )

    def contact(self, account_id: int, door: bool) -> None:
        """Somebody answered: at the door (``door``) or on the phone. The ``contact``
        scheme draws anew from the next door contact on; ``contact-day`` from the next day
        with a contact (:meth:`close_day`), so a call and the next day's door agree."""
        if self.pay_draw == "contact":
            if door:
                self.contacts[account_id] += 1
        else:
            self.touched.add(account_id)

    def close_day(self) -> None:
        """The day is over: every account in contact today draws anew at its next contact."""
        for a in self.touched:
            self.contacts[a] += 1
        self.touched.clear()

    def pays(self, account_id: int, day: dt.date) -> bool:
        """Would the customer pay a collector on ``day``? One draw per account and day
        (``pay_draw`` ``day``), or per account and contact (``contact-day``,
        ``contact``: the draw of the next contact, which the evening's call about ``day``
        reads too)."""
        if self.pay_draw == "day":
            u = u01(self.draw_seed, "pay", account_id, day)
        else:
            u = u01(self.draw_seed, "pay-contact", account_id, self.contacts[account_id])
        return u < self.truth(account_id).pay_prob

    def p_home(self, account_id: int, day: dt.date, band: int) -> float:
        """The truth's P(home) at the door, given what a call revealed."""
        t = self.truth(account_id)
        if self.appointments.get((account_id, day)) == band:
            return APPOINTMENT_KEPT  # they said they would be around and in
        return t.home_on(self.ctx(account_id, day))[band]

    def p_door(self, account_id: int, day: dt.date, band: int) -> float:
        """The truth's P(home in ``band`` and pays) at the door on ``day``, given the
        answer to the call of the evening before (the same draws decide both): *refuses*
        comes only from customers who would not pay that day, *away* only from ones not
        around; *pay online* only from payers who are around; *home at* from the around
        ones, payers who did not offer to pay online and non-payers who did not say so,
        so it is enriched in payers. Without an answer (no call, no answer), the
        marginal P(home) x P(pay) as before."""
        t = self.truth(account_id)
        answer = self.answers.get((account_id, day))
        outcome = None if answer is None else answer[0]
        if outcome is None or outcome is CallOutcome.NO_ANSWER:
            return self.p_home(account_id, day, band) * t.pay_prob
        if outcome in (CallOutcome.REFUSES, CallOutcome.AWAY):
            return 0.0
        ctx = self.ctx(account_id, day)
        if outcome is CallOutcome.PAY_ONLINE:
            return t.cond(band, ctx)
        assert outcome is CallOutcome.HOME_AT, outcome
        p = t.pay_prob
        payer = p * (1 - OFFER_ONLINE)
        p_pay = payer / (payer + (1 - p) * (1 - SAY_REFUSE))
        named = self.appointments.get((account_id, day))
        asked = answer[1]  # type: ignore[index]
        if band == named:
            p_home = APPOINTMENT_KEPT
        elif named is not None and named != asked and (band == asked or band < named):
            p_home = 0.0  # they named the first band they are in, not the one asked
        else:
            p_home = t.cond(band, ctx)
        return p_home * p_pay


def backend_cpu(session: Session) -> float:
    """CPU seconds (user + system) of the session's PostgreSQL backend so far, from
    /proc (the server runs on this machine); 0 where /proc cannot tell."""
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def local_dt(day: dt.date, seconds: int, tz: ZoneInfo) -> dt.datetime:
    return vehicles.local_instant(day, seconds, tz)


def pay(
    session: Session,
    scope: Scope,
    account_id: int,
    day: dt.date,
    at: dt.datetime,
    channel: Channel,
    key: str,
    collector_id: int | None = None,
    net: Decimal | None = None,
) -> tuple[Decimal, Decimal]:
    """Pay the account's whole amount due (``net``: already read for ``day``); returns
    (amount, principal) or zeros."""
    if net is None:
        net = amount_due(session, account_id, day).net
    if net <= 0:
        return Decimal(0), Decimal(0)
    txn = None
    pid = uuid.uuid5(NS, key)
    if channel is not Channel.FIELD_CASH:
        txn = f"SIM{pid.hex[:20]}"
        pid = channel_payment_id(channel, txn)
    res = record_payment(
        session,
        scope,
        PaymentInput(pid, account_id, net, channel, at, channel_txn_id=txn),
        now=at,
        skip_authorization=True,
        collector_id=collector_id,
    )
    principal = sum((a.principal for a in res.allocations), Decimal(0))
    return net, principal


def online_morning(
    session: Session,
    world: World,
    scope: Scope,
    day: dt.date,
    promises: dict[tuple[int, dt.date], bool],
    stats: Stats,
    record: bool,
) -> int:
    """Customers paying on their own (and promises kept) on ``day``, at 07:00 local."""
    dues = cand.amounts_due(session, day + dt.timedelta(days=1), station_id=world.station.id)
    at = local_dt(day, 7 * 3600, world.tz)
    n = 0
    for account_id in sorted(dues):
        t = world.truth(account_id)
        kept = (account_id, day) in promises and u01(
            world.draw_seed, "promise-kept", account_id, day
        ) < t.pay_prob
        phoned = (account_id, day) in world.phoned
        if phoned:
            kept = u01(world.draw_seed, "phone-kept", account_id, day) < ONLINE_KEPT_BY_PHONE
        if not kept and u01(world.draw_seed, "online", account_id, day) >= world.online_rate(t):
            continue
        amount, principal = pay(
            session, scope, account_id, day, at, Channel.ALIPAY, f"online:{account_id}:{day}"
        )
        if amount > 0 and record:
            stats.online_amount += amount
            stats.online_principal += principal
            if phoned and kept:
                stats.call_online += amount
                stats.call_principal += principal
            elif kept:
                stats.promise_online += amount
            n += 1
    return n


#: Minutes of a collector's evening for calls, and what each call costs.
CALL_MINUTES = 30
ANSWERED_MIN, UNANSWERED_MIN = 3, 1
#: P(answer) per hidden kind (refusers let it ring; migrants carry their phone).
P_ANSWER = {"punctual": 0.75, "late": 0.7, "chronic": 0.6, "migrant": 0.7, "refuser": 0.4}
#: Of those who would not pay, the share who say so on the phone.
SAY_REFUSE = 0.5
#: Of those who would pay and are around, the share who offer to pay online instead.
OFFER_ONLINE = 0.25
ONLINE_KEPT_BY_PHONE = 0.9
#: P(home in the band named on the phone, being around that day).
APPOINTMENT_KEPT = 0.95
#: Search effort of the provisional plan whose call list proposes the times.
PROVISIONAL_ITERATIONS = 100


def evening_calls(
    session: Session,
    world: World,
    day: dt.date,
    policy: str,
    args: argparse.Namespace,
    stats: Stats,
) -> int:
    """The evening before ``day``: each collector calls down the plan's call list for
    ``day`` within :data:`CALL_MINUTES`; the answers come from the hidden truth (the same
    draws the door uses) and are recorded as the phone would (``core.field.calls``)."""
    listed: dict[int, list[dict[str, object]]]
    if args.calls_first_band:  # the call list alone, no route to propose a time from
        req = PlanRequest(world.station.id, day, time_limit=1, iterations=1)
        truth = truth_estimate(policy, world)
        with mock.patch.object(valuation, "account_estimate", truth) if truth else nullcontext():
            listed = compute.gather(session, req).calls
    else:  # the provisional plan of the afternoon before: its call list proposes times
        req = PlanRequest(
            world.station.id,
            day,
            time_limit=args.time_limit,
            seed=args.solver_seed,
            iterations=PROVISIONAL_ITERATIONS,
        )
        by = compute_for(session, req, policy, world).summary["calls"]["by_collector"]  # type: ignore[index]
        listed = {int(c): rows for c, rows in by.items()}
    at = local_dt(day - dt.timedelta(days=1), 19 * 3600, world.tz)
    made = 0
    for collector_id, rows in sorted(listed.items()):
        minutes = 0
        for row in rows:
            a = int(row["account_id"])  # type: ignore[call-overload]
            ask = row.get("ask_from")
            asked = None if ask is None else band_index(int(str(ask)[:2]))
            t = world.truth(a)
            answered = u01(world.draw_seed, "answer", a, day) < P_ANSWER[t.kind]
            cost = ANSWERED_MIN if answered else UNANSWERED_MIN
            if minutes + cost > CALL_MINUTES:
                break
            minutes += cost
            made += 1
            window = None
            if not answered:
                outcome = CallOutcome.NO_ANSWER
            elif not world.pays(a, day) and u01(world.draw_seed, "say-refuse", a, day) < SAY_REFUSE:
                outcome = CallOutcome.REFUSES
            elif not world.around(a, day):
                outcome = CallOutcome.AWAY
            elif world.pays(a, day) and u01(world.draw_seed, "offer", a, day) < OFFER_ONLINE:
                outcome = CallOutcome.PAY_ONLINE
                world.phoned.add((a, day + dt.timedelta(days=1)))  # paid by next morning
            else:
                outcome = CallOutcome.HOME_AT
                ctx = world.ctx(a, day)
                free = [
                    b
                    for b in range(len(BANDS))
                    if u01(world.draw_seed, "home", a, day, b) < t.cond(b, ctx)
                ]
                if asked in free:  # home when the route passes, as proposed
                    band = asked
                else:  # names the first time they will be in
                    band = free[0] if free else max(range(len(BANDS)), key=lambda b: t.cond(b, ctx))
                world.appointments[(a, day)] = band
                window = (dt.time(BANDS[band][0]), dt.time(BANDS[band][1] - 1, 59))
            try:
                record_call(
                    session,
                    collector_id,
                    CallInput(
                        uuid.uuid5(NS, f"call:{a}:{day}"),
                        a,
                        day,
                        outcome,
                        at,
                        window[0] if window else None,
                        window[1] if window else None,
                    ),
                )
            except NotFound:  # not the account's responsible collector: not theirs to call
                continue
            world.answers[(a, day)] = (outcome, asked)
            stats.calls[outcome.value] += 1
            if answered:
                world.contact(a, door=False)
    session.flush()
    return made


@dataclass(frozen=True)
class Stop:
    account_id: int
    start_s: int  # station-local seconds of arrival at the door
    #: The plan's P(pay | home) and P(home) for the visit (None: the habit has none).
    p_pay: float | None = None
    p_home: float | None = None


#: Policies that call ahead: the planner, its variants and the oracle (the simple rule and
#: the habit do not).
CALLING = tuple(p for p in POLICIES if p not in ("amount", "habit", "idle"))

#: Re-plans with twice the time when the solver returned no route for a travel mode.
PLAN_ATTEMPTS = 3


def failed_groups(draft: PlanDraft) -> int:
    """Travel-mode groups with candidates but nothing planned: on the loaded shared
    machine the solver sometimes runs out of time before a first solution."""
    return sum(
        1
        for g in draft.summary["solver"]  # type: ignore[attr-defined]
        if g["stops"] and not g["prize_collected_fen"]
    )


def route_use(draft: PlanDraft) -> dict[str, object]:
    """How the planned day is spent, per collector on average (minutes): travelling, at
    doors, and the rest of the working shift (waiting for a window, or home early); and
    the stops tied to a window (a call's appointment, a promise's or a likely band)."""
    n = max(1, len(draft.routes))
    travel = sum(r.travel_seconds for r in draft.routes) / 60 / n
    stops = [s for r in draft.routes for s in r.stops]
    service = sum(int(str(s.explain["service_s"])) for s in stops)
    factors = [float(str(s.explain.get("today_factor", 1.0))) for s in stops]
    worked = sum(
        (r.stops[-1].departure - r.stops[0].eta).total_seconds() for r in draft.routes if r.stops
    )
    return {
        "travel_min": round(travel, 1),
        "door_min": round(service / 60 / n, 1),
        "span_min": round(worked / 60 / n, 1),
        "appointments": sum(1 for s in stops if s.explain.get("window")),
        "band_windows": dict(
            Counter(
                str(s.explain["band"])
                for s in stops
                if s.explain.get("band") and not s.explain.get("window")
            )
        ),
        "today_factor_mean": round(sum(factors) / max(1, len(factors)), 3),
    }


def plan_routes(
    session: Session,
    world: World,
    day: dt.date,
    policy: str,
    args: argparse.Namespace,
    iterations: int | None = None,
) -> tuple[dict[int, list[Stop]], int, dict[str, object]]:
    """Each collector's stops, how many re-plans a solver failure needed, and how the
    planned day is spent (:func:`route_use`); ``iterations``: other than ``--iterations``."""
    if policy == "habit":
        return habit_routes(session, world, day, args), 0, {}
    if policy == "idle":
        return {}, 0, {}
    limit, replans = args.time_limit, 0
    while True:  # compute_plan only reads: the morning's online payments stay
        req = PlanRequest(
            world.station.id,
            day,
            time_limit=limit,
            seed=args.solver_seed,
            iterations=args.iterations if iterations is None else iterations,
            rolling=policy != "amount",
        )
        draft = compute_for(session, req, policy, world)
        if not failed_groups(draft) or replans + 1 >= PLAN_ATTEMPTS:
            break
        replans += 1
        limit *= 2
    out: dict[int, list[Stop]] = {}
    for r in draft.routes:
        stops = []
        for s in r.stops:
            loc = s.eta.astimezone(world.tz)
            ex = s.explain
            stops.append(
                Stop(
                    s.account_id,
                    loc.hour * 3600 + loc.minute * 60 + loc.second,
                    float(ex["p_pay"]),  # type: ignore[arg-type]
                    float(ex["p_home"]),  # type: ignore[arg-type]
                )
            )
        out[r.collector_id] = stops
    return out, replans, route_use(draft) | {"plan_phases_s": draft.summary["seconds"]}


def compute_for(session: Session, req: PlanRequest, policy: str, world: World) -> PlanDraft:
    """The planner's draft under ``policy`` (a setting changed in the bench; only ``oracle``,
    a reference and not a policy, reads the truth)."""
    truth = truth_estimate(policy, world)
    if truth is not None:
        with mock.patch.object(valuation, "account_estimate", truth):
            return planning.compute_plan(session, req)
    if policy == "amount":  # the simple rule: no probabilities, no month horizon
        flat = Rates(1.0, (1.0,) * len(BANDS))
        with mock.patch.object(valuation, "account_estimate", lambda *a, **k: flat):
            return planning.compute_plan(session, req)
    if policy in ("model-nofuel", "model-fuel10"):
        scale = 0 if policy == "model-nofuel" else 10
        fuel = {m: (f // scale if scale else 0) for m, f in problem.FEN_PER_KM.items()}
        with mock.patch.dict(problem.FEN_PER_KM, fuel):
            return planning.compute_plan(session, req)
    if policy in ("model-day", "model-weakwindow", "model-day-weakwindow"):
        # The planner as it was before the month horizon and the strong-evidence windows.
        days_left = (lambda d: 0) if "day" in policy else visit_value.month_days_left
        lift = 0.0 if "weakwindow" in policy else visit_value.WINDOW_LIFT
        with (
            mock.patch.object(valuation, "month_days_left", days_left),
            mock.patch.object(compute, "month_days_left", days_left),
            mock.patch.object(visit_value, "WINDOW_LIFT", lift),
        ):
            return planning.compute_plan(session, req)
    if policy == "model-lowflat":
        with mock.patch.object(estimates, "fit_two_types", _low_flat_pay):
            return planning.compute_plan(session, req)
    if policy == "model-callskip":
        with mock.patch.object(valuation, "calls_for", _calls_skip):
            return planning.compute_plan(session, req)
    if policy == "model-nowindow":
        with mock.patch.object(visit_value, "WINDOW_GAIN", 2.0):  # no band ever stands out
            return planning.compute_plan(session, req)
    assert policy == "model", policy
    return planning.compute_plan(session, req)


@dataclass(frozen=True)
class LowFlat(estimates.TwoTypes):
    """``model-lowflat``'s P(pay): an account of the low type (a refuser) pays at the
    type's fitted mean, not at a rate shrunk further by its own refusals. The type's
    Beta has 6 pseudo-trials, so each refusal pulls a refuser down (0 of 20 home visits:
    0.07 -> 0.016) while the demo's refusers pay 5-7 % of the home visits each, whatever
    their record; the type posterior is the planner's, unchanged."""

    def mean(self, k: float, n: float, share_low: float | None = None) -> float:
        r = self.posterior_low(k, n, share_low)
        return r * self.low + (1.0 - r) * visit_value.shrink(k, n, self.high, self.weight)


_FIT_TWO_TYPES = estimates.fit_two_types


def _low_flat_pay(
    counts: list[tuple[float, float]], start: estimates.TwoTypes
) -> estimates.TwoTypes:
    fitted = _FIT_TWO_TYPES(counts, start)
    if start is not estimates.PAY_START:  # P(home) as the planner has it
        return fitted
    return LowFlat(fitted.share_low, fitted.low, fitted.high, fitted.weight)


def _calls_skip(session: Session, account_ids: Any, day: dt.date) -> dict[int, CallNote]:
    """``model-callskip``'s call notes: a customer who said on the phone they refuse or are
    away that day is left out of the day (as one who said they pay online), instead of
    visited at the station's learned door rate after such answers (a cap that hardly
    lowers a refuser's already low P(pay), so a big debt was still visited: 76-82 visits a
    month on refusers draws 3 and 7, worth nothing in the truth)."""
    notes = calls_for(session, account_ids, day)
    skip = (CallOutcome.REFUSES, CallOutcome.AWAY)
    return {
        a: CallNote(CallOutcome.PAY_ONLINE) if n.outcome in skip else n for a, n in notes.items()
    }


def truth_estimate(policy: str, world: World) -> Any | None:
    """The ``valuation.account_estimate`` of ``oracle`` (the planner fed the hidden truth
    instead of its estimates: P(pay), P(home) per band and this run's daily rate of paying
    online; an upper reference for what better estimates could gain, not a policy: no
    station knows its customers' truth) or of an ``oracle-<part>`` variant; None for the
    policies that plan from the planner's own estimates."""
    if policy == "oracle":
        return oracle_rates(world)
    if policy.startswith("oracle-"):
        return oracle_part(world, policy.removeprefix("oracle-"))
    return None


def oracle_rates(world: World) -> Any:
    """``valuation.account_estimate`` fed the truth: P(pay), P(home) per band on ordinary
    and return days, the market-day effect, the customer's own rate of paying online."""

    def truth_rates(_h: object, _p: object, info: cand.AccountInfo) -> Rates:
        t = world.truth(info.id)
        ordinary = t.home_on(DayContext(1))
        returning = t.home_on(DayContext(1, returning=True))
        market = tuple(MARKET_EFFECT)
        return Rates(t.pay_prob, ordinary, world.online_rate(t), returning, market)

    return truth_rates


_ACCOUNT_ESTIMATE = valuation.account_estimate


def oracle_part(world: World, part: str) -> Any:
    """``valuation.account_estimate`` with one ``part`` of the planner's estimate (``pay``,
    ``home`` or ``self``) replaced by the truth's, the rest the planner's own."""
    truth = oracle_rates(world)

    def mixed(history: Any, priors: Any, info: cand.AccountInfo) -> Rates:
        own, true = _ACCOUNT_ESTIMATE(history, priors, info), truth(history, priors, info)
        if part == "pay":
            return replace(own, p_pay=true.p_pay)
        if part == "self":
            return replace(own, self_rate=true.self_rate)
        assert part == "home", part
        homes = ("p_home", "p_home_return", "market", "weekday")
        return replace(own, **{f: getattr(true, f) for f in homes})

    return mixed


def habit_routes(
    session: Session, world: World, day: dt.date, args: argparse.Namespace
) -> dict[int, list[Stop]]:
    """Nearest of the k largest debts in the collector's territory, until the day is full."""
    station, depot, _tz = cand.station_info(session, world.station.id)
    collectors = cand.station_collectors(session, world.station.id, None)
    dues = cand.amounts_due(session, day, station_id=world.station.id)
    infos = cand.accounts_with_collectors(session, sorted(dues))
    since = local_dt(day - dt.timedelta(days=args.habit_cooldown), 0, world.tz)
    recent = set(
        session.scalars(
            select(Visit.account_id).where(
                Visit.device_time >= since,
                Visit.account_id.in_(list(dues)),
                Visit.outcome.in_((Outcome.REFUSED, Outcome.PROMISE)),
            )
        )
    )
    provider = GreatCircleProvider()
    out: dict[int, list[Stop]] = {}
    for c in collectors:
        v = vehicles.vehicle_for(c, depot, PlanRequest(world.station.id, day))
        mine = [i for i in infos if c.id in i.collectors and i.id not in recent]
        mine.sort(key=lambda i: (-dues[i.id].total, i.id))
        pos, t = v.start, v.shift[0]
        brk = v.breaks[0] if v.breaks else None
        taken = brk is None
        stops: list[Stop] = []
        service_s = PlanRequest(world.station.id, day).service_s
        while mine:
            if not taken and brk is not None and t >= brk.window[0]:
                t += brk.duration
                taken = True
            top = mine[: args.habit_k]
            m = provider.matrix([pos, v.end, *(i.lonlat for i in top)], v.mode).seconds
            order = np.argsort(m[0, 2:], kind="stable")
            chosen = None
            for j in order:
                arrive = t + int(m[0, 2 + j])
                extra = 0 if taken or brk is None else brk.duration
                if arrive + service_s + int(m[2 + j, 1]) + extra <= v.shift[1]:
                    chosen = (int(j), arrive)
                    break
            if chosen is None:
                break
            j, arrive = chosen
            acc = top[j]
            stops.append(Stop(acc.id, arrive))
            t = arrive + service_s
            pos = acc.lonlat
            mine.remove(acc)
        out[c.id] = stops
    return out


def door_yuan(
    session: Session, world: World, day: dt.date, routes: dict[int, list[Stop]]
) -> dict[str, float]:
    """What ``routes`` would bring at the doors on ``day``, without walking them: the
    truth's expectation (as :func:`walk` counts it) and the money of this run's own draws
    (the walk's outcome, given the day's state), so routes of another search effort are
    compared on the same morning and the same luck."""
    ids = [s.account_id for ss in routes.values() for s in ss]
    dues = dues_of(session, ids, day)
    expected = realised = 0.0
    for ss in routes.values():
        for s in ss:
            band = band_index(s.start_s // 3600)
            due = float(dues[s.account_id].net)
            expected += due * world.p_door(s.account_id, day, band)
            if world.home(s.account_id, day, band) and world.pays(s.account_id, day):
                realised += due
    return {"expected": round(expected, 2), "realised": round(realised, 2), "visits": len(ids)}


def walk(
    session: Session,
    world: World,
    scope: Scope,
    day: dt.date,
    routes: dict[int, list[Stop]],
    promises: dict[tuple[int, dt.date], bool],
    stats: Stats,
) -> dict[str, object]:
    counts: Counter[str] = Counter()
    collected = Decimal(0)
    # Per call answer and per hidden kind: visits, homes, paid, yuan, expected, and
    # (answers) expected blind / (kinds) the plan's P(pay | home) summed.
    after: dict[str, list[float]] = {}
    kinds: dict[str, list[float]] = {}
    # Every stop's amount due in two queries (``amount_due``'s exact figures, held equal
    # by tests/core/money/test_due_sql.py) instead of ~6 per stop: a third of a simulated
    # day's time went there. An account paid earlier in this walk is read again.
    dues = dues_of(session, [s.account_id for ss in routes.values() for s in ss], day)
    paid_today: set[int] = set()
    for collector_id, stops in sorted(routes.items()):
        for s in stops:
            t = world.truth(s.account_id)
            hour = s.start_s // 3600
            band = band_index(hour)
            at = local_dt(day, s.start_s, world.tz)
            promise_date = None
            if s.account_id in paid_today:
                due = amount_due(session, s.account_id, day).net
            else:
                due = dues[s.account_id].net
            p_door = world.p_door(s.account_id, day, band)
            exp_door = float(due) * p_door
            var_door = float(due) ** 2 * p_door * (1 - p_door)
            exp_blind = float(due) * world.p_home(s.account_id, day, band) * t.pay_prob
            stats.expected_field += exp_door
            stats.expected_blind += exp_blind
            if not world.home(s.account_id, day, band):
                outcome = Outcome.NOBODY_HOME
            elif world.pays(s.account_id, day):
                outcome = Outcome.PAID
            elif u01(world.draw_seed, "promise", s.account_id, day, band) < PROMISE_SHARE:
                outcome = Outcome.PROMISE
                days = 3 + int(u01(world.draw_seed, "promise-days", s.account_id, day) * 5)
                promise_date = day + dt.timedelta(days=days)
                promises[(s.account_id, promise_date)] = True
            else:
                outcome = Outcome.REFUSED
            if outcome is not Outcome.NOBODY_HOME:
                world.contact(s.account_id, door=True)
            if outcome is Outcome.PAID:
                amount, principal = pay(
                    session,
                    scope,
                    s.account_id,
                    day,
                    at,
                    Channel.FIELD_CASH,
                    f"field:{s.account_id}:{day}",
                    collector_id,
                    due,
                )
                paid_today.add(s.account_id)
                if amount <= 0:  # nothing left to pay (cannot happen: plans use arrears)
                    outcome = Outcome.REFUSED
                stats.field_amount += amount
                stats.field_principal += principal
                collected += amount
            session.add(
                Visit(
                    id=uuid.uuid5(NS, f"visit:{s.account_id}:{day}:{s.start_s}"),
                    account_id=s.account_id,
                    collector_id=collector_id,
                    outcome=outcome,
                    device_time=at,
                    promise_date=promise_date,
                )
            )
            counts[outcome.value] += 1
            answer = world.answers.get((s.account_id, day))
            home = outcome is not Outcome.NOBODY_HOME
            paid = float(amount) if outcome is Outcome.PAID else 0.0
            for table_, key, last in (
                (after, "none" if answer is None else answer[0].value, exp_blind),
                (kinds, t.kind, s.p_pay or 0.0),
            ):
                acc = table_.setdefault(key, [0.0] * 7)
                for i, v in enumerate((1, home, paid > 0, paid, exp_door, last, var_door)):
                    acc[i] += float(v)
            if s.p_pay is not None:  # predicted vs observed, for the calibration plots
                stats.calibration.append(
                    (s.p_pay, s.p_home, int(home), int(outcome is Outcome.PAID) if home else -1)
                )
    session.flush()
    stats.outcomes.update(counts)
    for total, part in ((stats.after_call, after), (stats.by_kind, kinds)):
        for key, vals in part.items():
            acc = total.setdefault(key, [0.0] * 7)
            for i, v in enumerate(vals):
                acc[i] += v
    rounded = {
        name: {k: [round(v, 2) for v in vals] for k, vals in sorted(part.items())}
        for name, part in (("after_call", after), ("by_kind", kinds))
    }
    return {
        "visits": sum(counts.values()),
        **counts,
        "collected": f"{collected:.2f}",
        **rounded,
    }


def overdue_principal(session: Session, world: World, day: dt.date) -> tuple[Decimal, Decimal, int]:
    dues = cand.amounts_due(session, day, station_id=world.station.id)
    return (
        sum((d.principal for d in dues.values()), Decimal(0)),
        sum((d.total for d in dues.values()), Decimal(0)),
        len(dues),
    )


def run_policy(policy: str, args: argparse.Namespace, days: list[dt.date]) -> Stats:
    t0 = time.monotonic()
    url = fresh_copy(f"{args.db_prefix}_{policy.replace('-', '_')}", args.template)
    # No server-side prepared statements: psycopg prepares a statement on its 5th run and
    # PostgreSQL then turns to a generic plan; the gather's self-payment query, run once
    # or twice a simulated day on this one connection, went from ~0.3 s to 20-80 s
    # (25 s of backend CPU) a day from the month's third week on.
    engine = create_engine(url, connect_args={"prepare_threshold": None})
    stats = Stats(policy)
    with Session(engine) as session:
        station = session.scalars(select(Station).where(Station.code == args.station)).one()
        tz = ZoneInfo(station.timezone)
        numbers = dict(
            session.execute(
                select(Account.id, Account.number).where(Account.station_id == station.id)
            ).all()
        )
        draws = str(args.seed) if args.draw_seed is None else f"{args.seed}/{args.draw_seed}"
        online = ONLINE_DAILY_HISTORY if args.online == "history" else ONLINE_DAILY
        villages = dict(
            session.execute(
                select(Account.id, Account.village).where(Account.station_id == station.id)
            ).all()
        )
        world = World(
            station,
            tz,
            args.seed,
            numbers,
            draws,
            online=dict(online),
            family=FAMILIES[args.family],
            calendar=load_calendar(session, station.id),
            villages=villages,
            own_rates=args.online == "history",
            pay_draw=args.pay_draw,
        )
        admin = session.scalars(select(User).where(User.role == Role.ADMIN).limit(1)).one()
        scope = Scope(admin.id, Role.ADMIN, frozenset({station.id}))
        stats.collectors = len(cand.station_collectors(session, station.id, None))
        stats.days = len(days)
        p, total, n = overdue_principal(session, world, days[0])
        stats.start_principal, stats.start_total, stats.start_accounts = p, total, n
        promises: dict[tuple[int, dt.date], bool] = {}
        # Calendar days from the first to the last working day: online payments every
        # day, collectors on working days.
        day = days[0]
        while day <= days[-1]:
            t1, c1, db1 = time.monotonic(), time.process_time(), backend_cpu(session)
            online = online_morning(session, world, scope, day, promises, stats, record=True)
            # Commit after each write: a transaction holding an xid for the length of a
            # solve holds the cluster's snapshot xmin back (the sync tests of other runs
            # on the machine wait for it).
            session.commit()
            row: dict[str, object] = {"day": day.isoformat(), "online": online}
            if day in days:
                cpu: dict[str, float] = {"morning": time.process_time() - c1}
                if policy in CALLING and not args.no_calls:
                    c2 = time.process_time()
                    row["calls"] = evening_calls(session, world, day, policy, args, stats)
                    session.commit()
                    cpu["calls"] = time.process_time() - c2
                c2 = time.process_time()
                routes, replans, use = plan_routes(session, world, day, policy, args)
                cpu["plan"] = time.process_time() - c2
                if args.effort_probe:  # the same morning planned with other search efforts
                    row["effort"] = {
                        str(args.iterations): door_yuan(session, world, day, routes),
                        **{
                            str(n): door_yuan(
                                session,
                                world,
                                day,
                                plan_routes(session, world, day, policy, args, n)[0],
                            )
                            for n in args.effort_probe
                        },
                    }
                t_plan = time.monotonic() - t1
                c2 = time.process_time()
                row |= walk(session, world, scope, day, routes, promises, stats)
                world.close_day()
                cpu["walk"] = time.process_time() - c2
                # Where a simulated day's CPU goes (this process; the DB's is not in it).
                row["cpu_by_phase_s"] = {k: round(v, 2) for k, v in cpu.items()}
                row |= use
                row["plan_s"] = round(t_plan, 1)
                if replans:
                    row["replans"] = replans
                    stats.replans += replans
            session.commit()
            row["s"] = round(time.monotonic() - t1, 1)
            row["cpu_s"] = round(time.process_time() - c1, 1)  # this process; not the DB's
            row["db_cpu_s"] = round(backend_cpu(session) - db1, 1)  # its backend's
            stats.by_day.append(row)
            print(policy, json.dumps(row, ensure_ascii=False), flush=True)
            day += dt.timedelta(days=1)
        stats.end_principal = overdue_principal(session, world, days[-1] + dt.timedelta(1))[0]
    engine.dispose()
    stats.seconds = time.monotonic() - t0
    return stats


CSV = "bench/results/month_sim.csv"
CSV_FIELDS = (
    "family",
    "draw_seed",
    "policy",
    "station_rate",
    "field_rate",
    "yuan_per_collector_day",
    "expected_yuan_per_collector_day",
    "empty_door_rate",
    "visits_per_collector_day",
    "call_online_yuan",
    "calls",
    "days",
    "start",
    "station",
    "iterations",
    "time_limit",
    "commit",
    "finished_at",
    "collector_days",
    "collected_yuan_per_collector_day",
    "promise_online_yuan",
    "pay_draw",
    "start_principal",
    "collected_principal_per_collector_day",
)


def commit_id() -> str:
    """The checked-out commit, ``+dirty`` when the tree has changes."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return head + ("+dirty" if dirty else "")


def _variant(args: argparse.Namespace, policy: str) -> str:
    """The suffix of a calling policy run without calls, or with calls that propose no time."""
    if policy not in CALLING:
        return ""
    if args.no_calls:
        return "-nocall"
    return "-firstband" if args.calls_first_band else ""


def csv_row(s: Stats, args: argparse.Namespace, days: list[dt.date]) -> dict[str, object]:
    """One month of one policy, as a row of :data:`CSV` (any table can be recomputed)."""
    cd = max(1, s.collectors * s.days)
    visits = sum(s.outcomes.values())
    return {
        "family": args.family,
        "draw_seed": args.seed if args.draw_seed is None else args.draw_seed,
        "policy": s.policy + _variant(args, s.policy),
        "station_rate": f"{(s.field_principal + s.online_principal) / s.start_principal:.4f}",
        "field_rate": f"{s.field_principal / s.start_principal:.4f}",
        "yuan_per_collector_day": f"{s.field_amount / cd:.1f}",
        "expected_yuan_per_collector_day": f"{s.expected_field / cd:.1f}",
        "empty_door_rate": f"{s.outcomes['nobody_home'] / max(1, visits):.4f}",
        "visits_per_collector_day": f"{visits / cd:.2f}",
        "call_online_yuan": f"{s.call_online:.2f}",
        "calls": sum(s.calls.values()),
        "days": s.days,
        "start": days[0].isoformat(),
        "station": args.station,
        "iterations": "" if args.iterations is None else args.iterations,
        "time_limit": args.time_limit,
        "commit": args.commit,
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "collector_days": cd,
        "collected_yuan_per_collector_day": f"{(s.field_amount + s.call_online) / cd:.1f}",
        "promise_online_yuan": f"{s.promise_online:.2f}",
        "pay_draw": args.pay_draw,
        "start_principal": f"{s.start_principal:.2f}",
        "collected_principal_per_collector_day": (
            f"{(s.field_principal + s.call_principal) / cd:.1f}"
        ),
    }


def append_csv(row: dict[str, object], path: str = CSV) -> None:
    new = not os.path.exists(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS, lineterminator="\n")
        if new:
            w.writeheader()
        w.writerow(row)


def table(stats: list[Stats]) -> str:
    lines = [
        "| policy | field rate | station rate (incl. online) | field yuan | online yuan | "
        "yuan / collector-day | expected yuan / collector-day | visits / collector-day | "
        "paid | promise | refused | nobody home (wasted) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in stats:
        cd = max(1, s.collectors * s.days)
        visits = sum(s.outcomes.values())
        wasted = 100 * s.outcomes["nobody_home"] / max(1, visits)
        lines.append(
            f"| {s.policy} | {100 * s.field_principal / s.start_principal:.1f}% "
            f"| {100 * (s.field_principal + s.online_principal) / s.start_principal:.1f}% "
            f"| {s.field_amount:,.0f} | {s.online_amount:,.0f} "
            f"| {s.field_amount / cd:,.1f} | {s.expected_field / cd:,.1f} | {visits / cd:.1f} "
            f"| {s.outcomes['paid']} | {s.outcomes['promise']} | {s.outcomes['refused']} "
            f"| {s.outcomes['nobody_home']} ({wasted:.0f}%) |"
        )
    return "\n".join(lines)


def diagnostics(s: Stats) -> str:
    """Where a policy's door visits went: by the answer to the call of the evening before
    ("none": no call) and by the customer's hidden kind (the plan's mean P(pay | home)
    against the truth's expectation)."""
    var = sum(v[6] for v in s.by_kind.values())
    lines = [
        f"{s.policy}: expected door yuan given the calls {s.expected_field:,.0f}, "
        f"blind {s.expected_blind:,.0f}; realised {s.field_amount:,.0f}, "
        f"luck z = {(float(s.field_amount) - s.expected_field) / max(var, 1.0) ** 0.5:+.2f}",
        "| call answer | visits | homes | paid | door yuan | expected | expected blind | z |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, (n, h, k, y, e, b, v) in sorted(s.after_call.items()):
        z = (y - e) / max(v, 1.0) ** 0.5
        lines.append(
            f"| {key} | {n:.0f} | {h:.0f} | {k:.0f} | {y:,.0f} | {e:,.0f} | {b:,.0f} | {z:+.2f} |"
        )
    lines += [
        "| kind | visits | homes | paid | door yuan | expected | plan's mean P(pay) | z |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, (n, h, k, y, e, p, v) in sorted(s.by_kind.items()):
        z = (y - e) / max(v, 1.0) ** 0.5
        lines.append(
            f"| {key} | {n:.0f} | {h:.0f} | {k:.0f} | {y:,.0f} | {e:,.0f} | {p / max(n, 1):.3f} "
            f"| {z:+.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--template", default="arrears_dev")
    ap.add_argument("--station", default="LN-JINGCUN")
    ap.add_argument("--seed", type=int, default=7, help="the demo's seed (flask demo seed)")
    ap.add_argument(
        "--start",
        type=dt.date.fromisoformat,
        default=None,
        help="first simulated day (default: the first Monday after the demo's today)",
    )
    ap.add_argument("--days", type=int, default=22, help="working days")
    ap.add_argument("--time-limit", type=float, default=10.0, help="solver seconds per plan")
    ap.add_argument(
        "--iterations",
        type=int,
        default=None,
        help="a fixed search effort for every policy (ruin-and-recreate iterations per "
        "travel-mode group, no engine polish), so CPU contention changes no plan; the time "
        "limit is then only a safety net (give it room, e.g. 120)",
    )
    ap.add_argument(
        "--family",
        default="default",
        help="the truth family the template was seeded with (recorded in the CSV; only "
        "'default' exists in demo.truth so far)",
    )
    ap.add_argument("--csv", default=CSV, help="append one row per policy here ('' not to)")
    ap.add_argument("--month", default=None, help="simulate this calendar month, YYYY-MM")
    ap.add_argument("--no-calls", action="store_true", help="the planner does not call ahead")
    ap.add_argument(
        "--pay-draw",
        choices=("day", "contact-day", "contact"),
        default="day",
        help="key of P(pay | home)'s common random number: the day, the account's n-th "
        "day with a contact (answered call or door), or its n-th door contact (stop 8's "
        "scheme; see the module's docstring)",
    )
    ap.add_argument(
        "--calls-first-band",
        action="store_true",
        help="calls propose no time (the customer names the first band they will be in; "
        "as before issue 18 stop 3): no provisional plan the evening before",
    )
    ap.add_argument(
        "--calibration", default=None, help="write the planner's per-visit predictions here"
    )
    ap.add_argument(
        "--effort-probe",
        type=lambda v: [int(x) for x in v.split(",")],
        default=None,
        help="also plan each morning with these iteration counts (read-only) and record "
        "their door yuan, expected and under this run's draws, in the day's row",
    )
    ap.add_argument("--solver-seed", type=int, default=0)
    ap.add_argument(
        "--draw-seed", type=int, default=None, help="another set of random draws (same truth)"
    )
    ap.add_argument(
        "--online",
        choices=("bench", "history"),
        default="history",
        help="daily rates of paying online by oneself: the rates the seeded history shows "
        "(default: the month continues the world that wrote the history), or this bench's "
        "earlier assumptions, 2-10 x higher",
    )
    ap.add_argument("--habit-k", type=int, default=10)
    ap.add_argument(
        "--habit-cooldown",
        type=int,
        default=7,
        help="days before a refusing or promising door is retried",
    )
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--db-prefix", default="arrears_msim", help="copies are <prefix>_<policy>")
    ap.add_argument("--json", default=None, help="also write the figures here")
    ap.add_argument("--table-from", default=None, help="print the table of a --json file and stop")
    args = ap.parse_args()
    args.commit = commit_id()  # the code that runs (taken at the start)
    if args.table_from:
        with open(args.table_from) as f:
            rows = json.load(f)
        loaded = []
        for r in rows:
            st = Stats(r["policy"], r["collectors"], r["days"])
            st.start_principal = Decimal(r["start_principal"])
            for k in (
                "end_principal",
                "field_amount",
                "field_principal",
                "online_amount",
                "online_principal",
            ):
                setattr(st, k, Decimal(r[k]))
            st.outcomes = Counter(r["outcomes"])
            st.expected_field = float(r.get("expected_field", 0.0))
            loaded.append(st)
        print(table(loaded))
        return

    if args.start is None:
        engine = create_engine(URL.format(db=args.template))
        with Session(engine) as session:
            last = session.scalar(select(func.max(Payment.collected_at)))
        engine.dispose()
        assert last is not None, "the template has no payments: seed the demo first"
        today = last.astimezone(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=1)
        args.start = today + dt.timedelta(days=1)
        while args.start.weekday() != 0:
            args.start += dt.timedelta(days=1)
    days = working_days(args.start, args.days)
    if args.month:  # one calendar month: its working days, Monday to Friday
        first = dt.date.fromisoformat(args.month + "-01")
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        days = [d for d in working_days(first, 31) if d <= last]
        args.start = days[0]
    print(
        f"station {args.station}, {len(days)} working days {days[0]} .. {days[-1]}, "
        f"solver {args.time_limit} s per plan",
        flush=True,
    )
    t0 = time.monotonic()
    results = []
    for policy in args.policies.split(","):
        stats = run_policy(policy, args, days)
        results.append(stats)
        if args.csv:
            append_csv(csv_row(stats, args, days), args.csv)
        if args.calibration and stats.calibration:
            with open(f"{args.calibration}.{policy}.json", "w") as f:
                json.dump(stats.calibration, f)
    s0 = results[0]
    print(
        f"\noutstanding at start: {s0.start_accounts} accounts, overdue principal "
        f"{s0.start_principal:,.2f} yuan (with late fees {s0.start_total:,.2f}); "
        f"{s0.collectors} collectors x {s0.days} days"
    )
    print(table(results))
    for s in results:
        print(diagnostics(s))
    print(f"wall {time.monotonic() - t0:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                [
                    {
                        "policy": s.policy,
                        "start_principal": str(s.start_principal),
                        "end_principal": str(s.end_principal),
                        "field_amount": str(s.field_amount),
                        "field_principal": str(s.field_principal),
                        "online_amount": str(s.online_amount),
                        "online_principal": str(s.online_principal),
                        "expected_field": round(s.expected_field, 2),
                        "expected_blind": round(s.expected_blind, 2),
                        "after_call": s.after_call,
                        "by_kind": s.by_kind,
                        "outcomes": dict(s.outcomes),
                        "collectors": s.collectors,
                        "days": s.days,
                        "seconds": round(s.seconds),
                        "replans": s.replans,
                        "by_day": s.by_day,
                    }
                    for s in results
                ],
                f,
                indent=1,
            )


if __name__ == "__main__":
    main()
