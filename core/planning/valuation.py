"""Valuing the candidates of a day: every account with arrears, its expected recovery, its
priority, which collectors may visit it, and why the others are left out.

Each visit's value is ``overdue_when_planned x p_pay x p_home x (1 - p_self)``
(:mod:`core.planning.visit_value`) times a priority factor (:mod:`core.planning.priority`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from sqlalchemy.orm import Session

from core.models import CallOutcome
from core.money import rate_schedule
from core.planning import candidates as cand
from core.planning.calendar import StationCalendar, load_calendar
from core.planning.calls import CallNote, call_rates, calls_for
from core.planning.draft import (
    CALL_PAY_ONLINE,
    COLLECTOR_ABSENT,
    COLLECTOR_NOT_IN_PLAN,
    NO_TERRITORY,
    PAYMENT_PENDING,
    PROMISED,
    TERRITORY_WITHOUT_COLLECTOR,
    VISITED_TODAY,
    PlanRequest,
)
from core.planning.estimates import account_rates, make_model
from core.planning.priority import Priority, priority
from core.planning.priors import Priors
from core.planning.promises import PROMISE_DOUBT, promise_states
from core.planning.vehicles import Vehicle
from core.planning.visit_value import (
    ACCOUNT_PRIOR_WEIGHT,
    BANDS,
    History,
    Rates,
    VisitValue,
    estimate,
    month_days_left,
    visit_value,
)
from geo.travel import DEFAULT_PROFILES, haversine_m
from geo.travel.profiles import profile_for

#: How much longer a visit to an account placed at its village's point takes (finding the
#: house, asking neighbours): its service time is the plan's times this.
APPROXIMATE_SERVICE_FACTOR = 2.0


@dataclass(frozen=True)
class Candidate:
    info: cand.AccountInfo
    due: cand.Due
    rates: Rates
    value: VisitValue
    mandatory: bool
    allowed: frozenset[int]
    priority: Priority
    #: Share of the prize that is today's merit given the rolling horizon's later visits
    #: (``core.planning.horizon.today_factor``); 1 outside the horizon.
    today: float = 1.0
    #: The call ahead about this day, if any.
    call: CallNote | None = None
    #: The absent responsible collector a colleague covers for on this visit.
    covering: int | None = None
    #: Collectors whose own territory cannot fill their day, who may visit it too
    #: (``core.planning.helpers``).
    helpers: frozenset[int] = frozenset()

    @property
    def stop_id(self) -> str:
        return f"a{self.info.id}"

    def service(self, service_s: int) -> int:
        """The visit's service seconds: an approximate location (the village's point) gets
        ``APPROXIMATE_SERVICE_FACTOR`` times the plan's, to find the house."""
        if self.info.approximate:
            return round(service_s * APPROXIMATE_SERVICE_FACTOR)
        return service_s

    @property
    def prize(self) -> int:
        """What the planner maximises: the expected recovery (fen) times the priority and
        the rolling horizon's factor for today."""
        return round(self.value.prize_fen * self.priority.factor * self.today)

    def explain(self, service_s: int, day: dt.date) -> dict[str, object]:
        """The numbers behind the stop's value. ``overdue_when_planned`` is the overdue
        principal and the late fee as estimated on ``valued_on`` (the plan's day), what
        the value was computed from; the route's ``amount_due`` is what the account owes
        as of the day it is read, every bill included."""
        band = self.value.band
        return {
            # The account's rates first: the day's p_pay and p_home below (a call, the
            # calendar) override theirs.
            **self.rates.as_dict(),
            "formula": "overdue_when_planned x p_pay x p_home x (1 - p_self)",
            "overdue_when_planned": f"{self.due.total:.2f}",
            "valued_on": day.isoformat(),
            "principal": f"{self.due.principal:.2f}",
            "late_fee": f"{self.due.late_fee:.2f}",
            "overdue_bills": self.due.bills,
            "oldest_due": self.due.oldest_due.isoformat(),
            "p_pay": round(self.value.p_pay, 3),
            "p_home": round(self.value.p_home, 3),
            "p_self": round(self.value.p_self, 3),
            "promise_ahead_kept": round(self.value.p_promise, 3) if self.value.p_promise else None,
            "horizon_days": self.value.horizon_days,
            "band": None if band is None else f"{BANDS[band][0]:02d}-{BANDS[band][1]:02d}",
            "prize_fen": self.value.prize_fen,
            "promise_due": self.mandatory,
            "priority": self.priority.as_dict(),
            "today_factor": round(self.today, 3),
            "call": None if self.call is None else self.call.outcome.value,
            "window": None
            if self.value.window is None
            else [_clock(self.value.window[0]), _clock(self.value.window[1])],
            "service_s": self.service(service_s),
            "location_quality": "approximate" if self.info.approximate else "exact",
            "service_note": (
                f"approximate location (village point): service x{APPROXIMATE_SERVICE_FACTOR:g} "
                "to find the house"
                if self.info.approximate
                else None
            ),
            "covering_for": self.covering,
            "helpers": sorted(self.helpers) or None,
        }


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def value_candidates(
    session: Session,
    req: PlanRequest,
    tz: str,
    planned: set[int],
    calendar: StationCalendar | None = None,
    absent: frozenset[int] = frozenset(),
) -> tuple[list[Candidate], list[dict[str, object]], Priors, int]:
    """Every account with arrears: valued candidates, and the ones no collector may visit.

    With ``req.priors`` (a re-plan), only the accounts the planned collectors may visit
    (their territories' and the pinned ones) are read and valued against those priors;
    otherwise every account of the station is, and the priors are made from them all.
    P(home) is the plan day's (``calendar``: return periods, market days, weekday); a
    call ahead about the day sets a window, leaves the account out or lowers its value
    (``core.planning.calls``). An account whose territory's collectors are all
    ``absent`` (or left out) is listed as ``collector_absent``; one whose responsible
    collector is absent goes to a planned colleague of the territory, and its explain
    names whom they cover for.
    """
    fees = rate_schedule(session, req.station_id)  # each day of lateness at its own rates
    if calendar is None:
        calendar = load_calendar(session, req.station_id)
    scope: list[int] | None = None
    if req.priors is not None:
        scope = sorted(
            set(cand.accounts_of_collectors(session, req.station_id, planned))
            | {a for seq in req.pinned.values() for a in seq}
        )
    dues = cand.amounts_due(
        session,
        req.plan_date,
        station_id=req.station_id if scope is None else None,
        account_ids=scope,
        rates=fees,
    )
    ids = sorted(dues)
    infos = cand.accounts_with_collectors(session, ids)
    villages = {i.id: i.village for i in infos}
    histories = cand.visit_histories(
        session, ids, req.plan_date, tz, calendar=calendar, villages=villages
    )
    for account_id, (due, paid, k, days) in cand.payment_records(
        session, ids, req.plan_date
    ).items():
        record = histories.get(account_id)
        if record is None:
            record = histories[account_id] = History()
        record.bills_due, record.bills_paid = due, paid
        record.self_paid, record.overdue_days = k, days
    promises = cand.promises_due(session, ids, req.plan_date, tz)
    promised = promise_states(session, ids, req.plan_date, tz)
    contacts = cand.last_contacts(session, ids, req.plan_date)
    pending = cand.payments_pending(session, ids)
    notes = calls_for(session, ids, req.plan_date)
    heard = call_rates(session, req.station_id, req.plan_date, tz)
    # A pinned account belongs to the collector who pinned it, and to nobody else,
    # so a group of another travel mode cannot take it first.
    pin_owner = {a: c for c, seq in req.pinned.items() for a in seq}
    pinned = set(pin_owner)
    priors = req.priors
    if priors is None:
        groups = {i.id: (i.village, i.category.value) for i in infos}
        priors = Priors(*make_model(histories, groups))
    horizon = month_days_left(req.plan_date)  # the station is judged at month end
    out: list[Candidate] = []
    left: list[dict[str, object]] = []
    # Accounts with the same evidence in the same group have the same rates: a station's
    # thousands of accounts share far fewer histories (most were never visited).
    estimated: dict[tuple[object, ...], Rates] = {}
    empty = History()  # read only
    # The plan day's P(home) per band, once per rates (kept in ``estimated``) and village.
    day_home: dict[tuple[int, str], tuple[float, ...]] = {}
    for info in infos:
        history = histories.get(info.id, empty)
        key = (info.village, info.category, *history.key())
        rates = estimated.get(key)
        if rates is None:
            rates = estimated[key] = account_estimate(history, priors, info)
        note = notes.get(info.id)
        home = day_home.get((id(rates), info.village))
        if home is None:
            ctx = calendar.context(req.plan_date, info.village)
            home = day_home[(id(rates), info.village)] = rates.home_on(ctx)
        p_pay, window, in_window = rates.p_pay, None, None
        if note is not None and note.outcome is CallOutcome.AWAY:
            home = tuple(min(p, heard.away_home) for p in home)
        elif note is not None and note.outcome is CallOutcome.REFUSES:
            p_pay = min(p_pay, heard.refused_pay)
        elif note is not None and note.window is not None:
            window, in_window = note.window, heard.appointment_home
        day_rates = Rates(p_pay, home, rates.self_rate)
        mandatory = info.id in promises
        # A promise ahead the customer is unlikely to keep does not hold the visit off.
        held = info.id in promised.ahead and rates.p_pay >= PROMISE_DOUBT
        doubted = info.id in promised.ahead and not held
        value = visit_value(
            dues[info.id].total,
            day_rates,
            horizon_days=horizon,
            forced_band=promises.get(info.id),
            window=window,
            home_in_window=in_window,
            p_promise=rates.p_pay if doubted else 0.0,
        )
        allowed = (
            frozenset({pin_owner[info.id]}) if info.id in pin_owner else _eligible(info, planned)
        )
        reason = None
        if info.id in req.exclude_accounts:
            reason = VISITED_TODAY
        elif info.id in pending:
            reason = PAYMENT_PENDING
        elif held:
            reason = PROMISED
        elif note is not None and note.outcome is CallOutcome.PAY_ONLINE and not mandatory:
            reason = CALL_PAY_ONLINE
        elif info.territory_id is None:
            reason = NO_TERRITORY
        elif not info.collectors:
            reason = TERRITORY_WITHOUT_COLLECTOR
        elif not allowed:
            reason = COLLECTOR_ABSENT if info.collectors & absent else COLLECTOR_NOT_IN_PLAN
        if reason is not None and info.id not in pinned:
            left.append(left_entry(info.id, reason, value.prize_fen, mandatory))
            continue
        owed = dues[info.id]
        rank = priority(
            owed.oldest_due, contacts.get(info.id), req.plan_date, promised.broken.get(info.id)
        )
        covering = info.responsible if info.responsible in absent else None
        out.append(
            Candidate(
                info, owed, rates, value, mandatory, allowed, rank, call=note, covering=covering
            )
        )
    return out, left, priors, len(infos)


def account_estimate(history: History, priors: Priors, info: cand.AccountInfo) -> Rates:
    """An account's rates: the two-type estimate when the priors carry the model (every
    plan made since), else shrunk toward its group alone."""
    group = (info.village, info.category.value)
    prior = priors.for_group(*group)
    if priors.model is None:
        return estimate(history, prior, ACCOUNT_PRIOR_WEIGHT)
    return account_rates(history, prior, priors.model, priors.model.shares_of(group))


def _eligible(info: cand.AccountInfo, planned: set[int]) -> frozenset[int]:
    """The planned collectors of the account's territory; only its responsible collector
    when they are one of them (the account is theirs to answer for), else any of them."""
    allowed = info.collectors & planned
    if info.responsible in allowed:
        return frozenset({info.responsible})
    return allowed


def left_entry(account_id: int, reason: str, prize: int, mandatory: bool) -> dict[str, object]:
    return {"account_id": account_id, "reason": reason, "prize_fen": prize, "mandatory": mandatory}


def preselect(
    cands: Sequence[Candidate], vehicles: Sequence[Vehicle], req: PlanRequest
) -> tuple[list[Candidate], list[Candidate]]:
    """Top ``per_collector`` candidates of each collector by prize per second spent on them."""
    if not cands:
        return [], []
    pts = np.asarray([c.info.lonlat for c in cands], dtype=np.float64)
    pinned = {a for seq in req.pinned.values() for a in seq}
    # Promised visits, pins and broken promises always come into the model.
    keep: set[int] = {
        i
        for i, c in enumerate(cands)
        if c.mandatory or c.info.id in pinned or c.priority.broken_promise is not None
    }
    per = min(req.per_collector, max(20, req.max_modelled // max(1, len(vehicles))))
    for v in vehicles:
        speed = profile_for(DEFAULT_PROFILES, v.mode).speed_mps
        secs = haversine_m(np.asarray([v.start], dtype=np.float64), pts)[0] * 1.5 / speed
        mine = [i for i, c in enumerate(cands) if v.collector.id in c.allowed]
        mine.sort(key=lambda i: -cands[i].prize / (cands[i].service(req.service_s) + 2 * secs[i]))
        keep.update(mine[:per])
    chosen = [c for i, c in enumerate(cands) if i in keep]
    dropped = [c for i, c in enumerate(cands) if i not in keep]
    return chosen, dropped


@dataclass(frozen=True)
class Valued:
    """An account with arrears on the plan day, valued as the planner values it."""

    account_id: int
    lonlat: tuple[float, float]
    allowed: frozenset[int]
    expected_value: Decimal
    prize_fen: int
    mandatory: bool
    explain: dict[str, object]


@dataclass(frozen=True)
class Valuation:
    """The station's accounts with arrears: valued candidates, and the ones no collector
    may visit with the planner's reason."""

    candidates: dict[int, Valued]
    excluded: dict[int, dict[str, object]]


def value_day(
    session: Session, station_id: int, day: dt.date, collector_ids: set[int]
) -> Valuation:
    """Value every account with arrears on ``day`` as the planner would now."""
    req = PlanRequest(station_id=station_id, plan_date=day)
    station, _, _ = cand.station_info(session, station_id)
    cands, left, _, _ = value_candidates(session, req, station.timezone, collector_ids)
    out = {
        c.info.id: Valued(
            account_id=c.info.id,
            lonlat=c.info.lonlat,
            allowed=frozenset(c.allowed),
            expected_value=c.value.expected_value,
            prize_fen=c.value.prize_fen,
            mandatory=c.mandatory,
            explain=c.explain(req.service_s, day),
        )
        for c in cands
    }
    return Valuation(out, {int(x["account_id"]): x for x in left})  # type: ignore[call-overload]
