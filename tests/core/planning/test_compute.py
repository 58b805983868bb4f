"""The plan service: who is planned, who is not and why, and the value of each visit."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from core.models import Outcome
from core.models.ledger_extra import QuarantinedPayment
from core.planning import collector_problem, compute_plan
from core.planning.draft import PlanRequest
from core.planning.visit_value import month_days_left
from tests.support.plans import WEST, build_day, overdue_bill, visit


def _plan(session, day, **kw):
    return compute_plan(session, PlanRequest(day.station.id, day.plan_date, time_limit=1, **kw))


def _reasons(draft):
    return {u["account_id"]: u["reason"] for u in draft.summary["unassigned"]}


def test_unassigned_accounts_carry_their_reasons(factory, session):
    """No territory, an unstaffed territory, a collector left out, unreachable: each says so."""
    day = build_day(factory, per_side=2)
    no_territory = factory.account(day.station, day.west, lonlat=(110.27, 34.13))
    lonely = factory.territory(
        day.station, "MULTIPOLYGON(((110.0 34.0,110.1 34.0,110.1 34.1,110.0 34.0)))"
    )
    unstaffed = factory.account(day.station, None, lonlat=(110.05, 34.03), territory_id=lonely.id)
    far = factory.account(
        day.station,
        day.west,
        lonlat=(112.9, 34.14),
        territory_id=day.accounts["west"][0].territory_id,
    )
    for acc in (no_territory, unstaffed, far):
        overdue_bill(factory, acc, "300.00")
    draft = _plan(session, day, collector_ids=(day.west.id,))
    reasons = _reasons(draft)
    assert reasons[no_territory.id] == "no_territory"
    assert reasons[unstaffed.id] == "territory_without_collector"
    assert reasons[far.id] == "unreachable_in_shift"
    assert {reasons[a.id] for a in day.accounts["east"]} == {"collector_not_in_plan"}
    planned = {s.account_id for r in draft.routes for s in r.stops}
    assert planned == {a.id for a in day.accounts["west"]}
    assert not planned & set(reasons)
    assert draft.summary["accounts_with_arrears"] == len(planned) + len(reasons)
    assert set(draft.summary["reasons"]) == set(reasons.values())


def test_paid_and_not_yet_due_accounts_are_not_candidates(factory, session):
    """Accounts whose bills are not overdue yet are not in arrears and not planned."""
    day = build_day(factory, per_side=1)
    fresh = factory.account(
        day.station,
        day.west,
        lonlat=(110.27, 34.13),
        territory_id=day.accounts["west"][0].territory_id,
    )
    due = day.plan_date + dt.timedelta(days=5)
    factory.bill(fresh, due.replace(day=1), "88.00", due)
    draft = _plan(session, day)
    assert fresh.id not in _reasons(draft)
    assert fresh.id not in {s.account_id for r in draft.routes for s in r.stops}


def test_promise_due_on_the_day_becomes_a_mandatory_stop_in_its_band(factory, session):
    """A promise to pay on the plan day is a mandatory stop, visited in the promise's band."""
    day = build_day(factory, per_side=3)
    acc = day.accounts["east"][2]
    visit(session, acc, day.east, Outcome.PROMISE, hour=15, promise=day.plan_date)
    draft = _plan(session, day)
    stop = next(s for r in draft.routes for s in r.stops if s.account_id == acc.id)
    assert stop.mandatory and stop.explain["promise_due"] is True
    assert stop.explain["band"] == "14-18"
    local = stop.eta.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert 14 <= local.hour < 18


def test_explain_holds_the_numbers_behind_the_prize(factory, session):
    """expected value = overdue when planned x p_pay x p_home x (1 - p_self), inputs on the stop."""
    day = build_day(factory, per_side=1)
    acc = day.accounts["west"][0]
    overdue_bill(factory, acc, "900.00", days_overdue=75)  # worth the fuel despite the odds
    for i in range(6):
        visit(session, acc, day.west, Outcome.NOBODY_HOME, days_ago=5 + i, hour=9)
    draft = _plan(session, day)
    stop = next(s for r in draft.routes for s in r.stops if s.account_id == acc.id)
    ex = stop.explain
    amount = Decimal(ex["overdue_when_planned"])
    assert amount == Decimal(ex["principal"]) + Decimal(ex["late_fee"]) > Decimal("120.50")
    assert ex["p_home_by_band"]["08-10"] < 0.5  # six empty mornings pull it down
    assert ex["formula"] == "overdue_when_planned x p_pay x p_home x (1 - p_self)"
    assert 0 < ex["p_self"] < 0.5  # a station prior: nobody here ever paid by themselves
    # over the days left in the plan day's month (the month-end rate is what counts)
    assert ex["horizon_days"] == month_days_left(day.plan_date)
    assert draft.summary["value_model"]["horizon_days"] == ex["horizon_days"]
    # inputs rounded to 3 places
    recomputed = float(amount) * 100 * ex["p_pay"] * ex["p_home"] * (1 - ex["p_self"])
    assert abs(ex["prize_fen"] - recomputed) <= 0.01 * recomputed + 1
    assert stop.expected_value == Decimal(ex["prize_fen"]) / 100


def test_route_times_respect_the_shift_and_lunch(factory, session):
    """ETAs fall inside 08:00-17:30 local and consecutive stops do not overlap."""
    day = build_day(factory, per_side=4)
    draft = _plan(session, day)
    tz = dt.timezone(dt.timedelta(hours=8))
    for r in draft.routes:
        for a, b in zip(r.stops, r.stops[1:], strict=False):
            assert a.departure <= b.eta
        for s in r.stops:
            assert dt.time(8) <= s.eta.astimezone(tz).time() <= dt.time(17, 30)
            assert s.eta.astimezone(tz).date() == day.plan_date


def test_the_stations_own_late_fee_rates_value_the_visits(factory, session):
    """A station rate version (here: no late fee at all) is what the planner charges."""
    from core.models.ledger_extra import LateFeeRate

    day = build_day(factory, per_side=1)
    session.add(
        LateFeeRate(
            station_id=day.station.id,
            effective_from=day.plan_date - dt.timedelta(days=400),
            residential=Decimal("0"),
            other_current_year=Decimal("0"),
            other_earlier_years=Decimal("0"),
            minimum=Decimal("0.00"),
        )
    )
    session.flush()
    draft = _plan(session, day)
    fees = {s.explain["late_fee"] for r in draft.routes for s in r.stops}
    assert fees == {"0.00"}


def test_collectors_with_different_travel_modes_are_planned_in_one_day(factory, session):
    """A car and a motorbike collector: one problem per mode, both routes in the plan."""
    from core.models import TravelMode

    day = build_day(factory, per_side=3)
    day.west.profile.travel_mode = TravelMode.CAR
    session.flush()
    draft = _plan(session, day)
    modes = {g["mode"]: g["vehicles"] for g in draft.summary["solver"]}
    assert modes == {"car": 1, "motorbike": 1}
    by_collector = {r.collector_id: {s.account_id for s in r.stops} for r in draft.routes}
    assert by_collector[day.west.id] == {a.id for a in day.accounts["west"]}
    assert by_collector[day.east.id] == {a.id for a in day.accounts["east"]}


def test_pinned_accounts_open_the_route_in_order_and_are_locked(factory, session):
    """PlanRequest.pinned keeps a collector's chosen stops first, in order, locked."""
    day = build_day(factory, per_side=3)
    a0, _, a2 = day.accounts["west"]
    draft = _plan(session, day, pinned={day.west.id: (a2.id, a0.id)})
    west = next(r for r in draft.routes if r.collector_id == day.west.id)
    assert [s.account_id for s in west.stops[:2]] == [a2.id, a0.id]
    assert [s.locked for s in west.stops] == [True, True] + [False] * (len(west.stops) - 2)


def _settle(session, bill, channel, days_after_due, collector=None):
    """Pay ``bill`` in full ``days_after_due`` days after its due date through ``channel``."""
    import uuid

    from core.models import EntryKind, Payment, PaymentAllocation

    pid = uuid.uuid4()
    at = dt.datetime.combine(
        bill.due_date + dt.timedelta(days=days_after_due), dt.time(10), tzinfo=dt.UTC
    )
    session.add(
        Payment(
            id=pid,
            kind=EntryKind.PAYMENT,
            account_id=bill.account_id,
            amount=bill.amount,
            channel=channel,
            channel_txn_id=None if collector else f"T{pid.hex[:12]}",
            collector_id=collector.id if collector else None,
            receipt_no=f"R-{pid.hex[:10]}" if collector else None,
            collected_at=at,
        )
    )
    session.flush()
    session.add(
        PaymentAllocation(payment_id=pid, bill_id=bill.id, principal=bill.amount, late_fee=0)
    )
    session.flush()


def test_overdue_bills_paid_online_count_as_paying_by_oneself(factory, session):
    """Same debt, same past delays: the account that settled its overdue bills online is
    expected to pay by itself, the one that paid at the door is not, so its visit is worth
    more. Days overdue count until settled, or until the plan day for an open bill."""
    from core.models import Channel
    from core.planning.candidates import self_payment_records

    day = build_day(factory, per_side=2)
    online, door = day.accounts["west"]
    for acc, channel, who in ((online, Channel.ALIPAY, None), (door, Channel.FIELD_CASH, day.west)):
        for months in (3, 5, 7):
            due = day.plan_date - dt.timedelta(days=30 * months)
            period = (due.replace(day=1) - dt.timedelta(days=20)).replace(day=1)
            bill = factory.bill(acc, period, "150.00", due)
            _settle(session, bill, channel, days_after_due=12, collector=who)
    session.expire_all()
    records = self_payment_records(session, [online.id, door.id], day.plan_date)
    open_days = (day.plan_date - online.bills[0].due_date).days  # the build_day bill
    assert records[online.id] == (3, 3 * 12 + open_days)
    assert records[door.id] == (0, 3 * 12 + open_days)
    draft = _plan(session, day, collector_ids=(day.west.id,))
    ex = {s.account_id: s.explain for r in draft.routes for s in r.stops}
    assert ex[online.id]["p_self"] > 2 * ex[door.id]["p_self"]
    assert ex[online.id]["prize_fen"] < ex[door.id]["prize_fen"]


def test_the_responsible_collector_takes_the_account_when_in_the_plan(factory, session):
    """Two collectors share a territory: each account goes to its responsible one, and to
    either of them when its responsible collector is not working that day."""
    day = build_day(factory, per_side=0)
    both = factory.territory(day.station, WEST, day.west, day.east, name="共管片")
    mine = {
        who: [
            factory.account(
                day.station, owner, lonlat=(110.26 + 0.006 * i, 34.12), territory_id=both.id
            )
            for i in range(3)
        ]
        for who, owner in (("west", day.west), ("east", day.east))
    }
    for accs in mine.values():
        for acc in accs:
            overdue_bill(factory, acc, "400.00")
    draft = _plan(session, day)
    routes = {r.collector_id: {s.account_id for s in r.stops} for r in draft.routes}
    assert routes[day.west.id] == {a.id for a in mine["west"]}
    assert routes[day.east.id] == {a.id for a in mine["east"]}
    alone = _plan(session, day, collector_ids=(day.west.id,))
    (route,) = alone.routes
    assert {s.account_id for s in route.stops} == {a.id for a in mine["west"] + mine["east"]}


def test_money_held_for_review_keeps_the_account_off_the_routes(factory, session):
    """A payment taken at the door but held in quarantine: the account waits for the
    supervisor, it is not visited again; once released, it is paid and gone."""
    day = build_day(factory, per_side=2)
    acc = day.accounts["west"][0]
    held = QuarantinedPayment(
        id=uuid.uuid4(),
        station_id=day.station.id,
        account_id=acc.id,
        amount=Decimal("120.50"),
        channel="field_cash",
        collector_id=day.west.id,
        collected_at=dt.datetime.now(dt.UTC),
        reason="out of scope",
        body={},
        body_hash="0" * 64,
    )
    session.add(held)
    session.flush()
    draft = _plan(session, day)
    assert _reasons(draft)[acc.id] == "payment_pending"
    assert "payment_pending" in draft.summary["reasons"]
    assert acc.id not in {s.account_id for r in draft.routes for s in r.stops}


def test_older_arrears_rank_higher_but_expected_values_stay_money(factory, session):
    """The escalation stage raises what the planner maximises, not the expected value."""
    day = build_day(factory, per_side=0)
    terr = factory.territory(day.station, WEST, day.west)
    young = factory.account(day.station, day.west, lonlat=(110.27, 34.13), territory_id=terr.id)
    old = factory.account(day.station, day.west, lonlat=(110.28, 34.13), territory_id=terr.id)
    overdue_bill(factory, young, "500.00", days_overdue=20)
    overdue_bill(factory, old, "500.00", days_overdue=200)
    draft = _plan(session, day)
    stops = {s.account_id: s for r in draft.routes for s in r.stops}
    assert stops[young.id].explain["priority"] == {
        "stage": "reminder",
        "factor": 1.0,
        "limitation_ends": None,
        "broken_promise": None,
    }
    assert stops[old.id].explain["priority"]["stage"] == "formal_notice"
    assert stops[old.id].explain["priority"]["factor"] > 1.0
    for s in stops.values():
        assert s.expected_value == Decimal(s.explain["prize_fen"]) / 100
    assert "stage_factors" in draft.summary["value_model"]["priority"]
    req = PlanRequest(day.station.id, day.plan_date, time_limit=1)
    prizes = {s.id: s.prize for s in collector_problem(session, req, day.west.id).stops}
    for acc in (young, old):
        ex = stops[acc.id].explain
        assert prizes[f"a{acc.id}"] == round(ex["prize_fen"] * ex["priority"]["factor"])
    assert prizes[f"a{old.id}"] > prizes[f"a{young.id}"]


def test_gathering_again_on_one_connection_never_takes_a_generic_plan(factory, session):
    """A plan worker's connection lives for many jobs, and psycopg prepares a statement on
    its fifth run: PostgreSQL may then plan it once for any id list (the month simulation
    saw the self-payment query go from 0.3 s to 20-80 s). Each gather plans for its own."""
    from sqlalchemy import text

    from core.planning.compute import gather

    day = build_day(factory, per_side=2)
    req = PlanRequest(day.station.id, day.plan_date, time_limit=1)
    for _ in range(12):
        gather(session, req)
    generic, custom = session.execute(
        text(
            "SELECT sum(generic_plans), sum(custom_plans) FROM pg_prepared_statements"
            " WHERE statement ILIKE '%paid_at_door%' AND statement ILIKE '%bill_balance%'"
        )
    ).one()
    assert custom >= 6  # prepared, and run prepared several times
    assert generic == 0


def test_a_gather_pauses_the_cycle_collector_and_restores_it(factory, session, monkeypatch):
    """The cycle collector is off while a gather allocates its many short-lived objects
    and as it was afterwards: on again after a gather (also one that fails), still off
    when the caller had turned it off."""
    import gc

    from core.planning import compute

    day = build_day(factory, per_side=2)
    req = PlanRequest(day.station.id, day.plan_date, time_limit=1)
    seen = []
    real = compute.cand.station_info

    def station_info(s, station_id):
        seen.append(gc.isenabled())
        return real(s, station_id)

    monkeypatch.setattr(compute.cand, "station_info", station_info)
    assert gc.isenabled()
    g = compute.gather(session, req)
    assert g.chosen and seen == [False] and gc.isenabled()
    with pytest.raises(LookupError):
        compute.gather(session, PlanRequest(-1, day.plan_date))
    assert seen == [False, False] and gc.isenabled()
    gc.disable()
    try:
        compute.gather(session, req)
        assert not gc.isenabled()
    finally:
        gc.enable()
