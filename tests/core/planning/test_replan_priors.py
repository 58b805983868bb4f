"""A re-plan values only the collector's own accounts, against the priors its base plan kept."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import update

from core.models import Plan
from core.planning.priors import Priors
from core.planning.runner import run_plan_job
from core.planning.visit_value import BANDS, Rates
from tests.support.plans import FAST, TZ, build_day, local_today


def test_priors_survive_json_unrounded_and_reject_other_forms():
    station = Rates(0.612345678, (0.4, 0.55, 0.7123456, 0.3), 0.0123456789)
    group = Rates(0.2, (0.1, 0.2, 0.3, 0.4), 0.001)
    priors = Priors(station, {("上村", "residential"): group})
    back = Priors.from_json(priors.to_json())
    assert back == priors
    assert back is not None and back.for_group("下村", "residential") == station
    assert back.for_group("上村", "residential") == group
    broken = priors.to_json()
    del broken["station"]["self_rate"]  # type: ignore[index]
    assert Priors.from_json(broken) is None
    other_bands = priors.to_json()
    other_bands["station"]["p_home"] = [0.5] * (len(BANDS) + 1)  # type: ignore[index]
    assert Priors.from_json(other_bands) is None
    assert Priors.from_json(None) is None and Priors.from_json({"station": 1}) is None


def _replan(client, app, me, day, at_hour=10):
    resp = client.post(
        "/api/me/route/replan",
        json={"lon": 110.27, "lat": 34.13, "date": day.plan_date.isoformat(), "time_limit": 1},
        headers=me,
    )
    assert resp.status_code == 202, resp.json
    job_id = uuid.UUID(resp.json["id"])
    now = dt.datetime.combine(day.plan_date, dt.time(at_hour), TZ)
    assert run_plan_job(app.extensions["db_sessionmaker"], job_id, FAST, now=now) == "done"
    return client.get(f"/api/jobs/{job_id}", headers=me).json["result"]["plan_id"]


def test_replan_values_my_accounts_against_the_base_plans_priors(
    factory, client, app, session, plan_day
):
    day = build_day(factory, per_side=3)
    day.plan_date = local_today()
    sup = factory.token(day.supervisor, client)
    base = plan_day(day, sup)
    model = base["summary"]["value_model"]
    assert Priors.from_json(model["priors"]) is not None
    assert base["summary"]["accounts_with_arrears"] == 6

    # Replace the kept priors by gloomy ones: if the re-plan reads them, its prizes fall.
    gloomy = Rates(0.05, (0.5,) * len(BANDS), 0.0)
    kept = Priors(gloomy, {}).to_json()
    session.execute(
        update(Plan)
        .where(Plan.id == base["id"])
        .values(summary=base["summary"] | {"value_model": model | {"priors": kept}})
    )
    session.commit()

    me = factory.token(day.west, client)
    before = client.get(f"/api/me/route?date={day.plan_date}", headers=me).json
    plan_id = _replan(client, app, me, day)
    after = client.get(f"/api/plans/{plan_id}", headers=sup).json
    summary = after["summary"]
    # Only the west collector's three accounts were read; the east ones are not listed.
    assert summary["accounts_with_arrears"] == 3
    west = {a.id for a in day.accounts["west"]}
    assert {u["account_id"] for u in summary["unassigned"]} <= west
    assert summary["value_model"]["priors"] == kept  # carried on for the next re-plan
    old_pay = {s["account"]["id"]: s["explain"]["p_pay"] for s in before["stops"]}
    route = next(r for r in after["routes"] if r["collector_id"] == day.west.id)
    assert route["stops"]
    for s in route["stops"]:
        assert s["explain"]["p_pay"] < old_pay[s["account_id"]]


def test_replan_of_a_plan_without_kept_priors_makes_them_from_the_station(
    factory, client, app, session, plan_day
):
    """Plans stored before priors were kept still re-plan, at the old (station-wide) cost."""
    day = build_day(factory, per_side=2)
    day.plan_date = local_today()
    sup = factory.token(day.supervisor, client)
    base = plan_day(day, sup)
    model = {k: v for k, v in base["summary"]["value_model"].items() if k != "priors"}
    session.execute(
        update(Plan)
        .where(Plan.id == base["id"])
        .values(summary=base["summary"] | {"value_model": model})
    )
    session.commit()
    me = factory.token(day.west, client)
    plan_id = _replan(client, app, me, day)
    summary = client.get(f"/api/plans/{plan_id}", headers=sup).json["summary"]
    assert summary["accounts_with_arrears"] == 4
    assert Priors.from_json(summary["value_model"]["priors"]) == Priors.from_json(
        base["summary"]["value_model"]["priors"]
    )
