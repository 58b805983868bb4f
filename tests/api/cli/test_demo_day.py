"""``flask demo day``: today planned and published for every demo station, once."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Plan, PlanStatus, Station, Stop
from tests.support.scratch import scratch_app


def test_the_demo_day_publishes_today_for_every_station_once():
    """After seeding, each station has today's plan published with stops; run again with
    --if-missing it plans nothing more."""
    with scratch_app("demo_day", DEMO=True) as app:
        runner = app.test_cli_runner()
        seeded = runner.invoke(args=["demo", "seed", "--accounts", "120", "--seed", "3"])
        assert seeded.exit_code == 0, seeded.output
        first = runner.invoke(args=["demo", "day", "--time-limit", "1"])
        assert first.exit_code == 0, first.output
        with Session(app.extensions["db_engine"]) as s:
            stations = s.scalars(select(Station)).all()
            assert len(stations) == 2
            for station in stations:
                today = dt.datetime.now(zoneinfo.ZoneInfo(station.timezone)).date()
                plan = s.scalar(
                    select(Plan).where(
                        Plan.station_id == station.id,
                        Plan.plan_date == today,
                        Plan.status == PlanStatus.PUBLISHED,
                    )
                )
                assert plan is not None, station.name
            stops = s.scalar(select(func.count()).select_from(Stop))
            plans = s.scalar(select(func.count()).select_from(Plan))
            assert stops > 0
        again = runner.invoke(args=["demo", "day", "--if-missing"])
        assert again.exit_code == 0 and again.output.count("already published") == 2
        with Session(app.extensions["db_engine"]) as s:
            assert s.scalar(select(func.count()).select_from(Plan)) == plans


def test_the_demo_day_is_refused_outside_the_demo(app):
    """Without ARREARS_DEMO the command refuses and plans nothing."""
    result = app.test_cli_runner().invoke(args=["demo", "day"])
    assert result.exit_code != 0 and "demo" in result.output
