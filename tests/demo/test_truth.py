"""The demo's hidden truth: families of counties, migrants home at their returns only,
market mornings empty."""

from __future__ import annotations

import datetime as dt

from core.planning.calendar import DayContext
from demo.seasons import SPRING_FESTIVAL, demo_calendar
from demo.truth import DEFAULT, FAMILIES, behaviour


def _kinds(family_name: str, n: int = 3000) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(n):
        k = behaviour(7, f"61{i:09d}", FAMILIES[family_name]).kind
        out[k] = out.get(k, 0) + 1
    return out


def test_families_differ_in_their_kinds_and_the_default_is_unchanged():
    """More migrants, more refusers in their families; the default family draws every
    account exactly as before families existed."""
    base, migrants, refusers = _kinds("default"), _kinds("migrants"), _kinds("refusers")
    assert migrants["migrant"] > 2 * base["migrant"]
    assert refusers["refuser"] > 2 * base["refuser"]
    assert behaviour(7, "6101000001") == behaviour(7, "6101000001", DEFAULT)
    assert FAMILIES["rich"].online > 1 > FAMILIES["poor"].online


def test_a_migrant_is_home_at_the_festival_return_only():
    """Outside the return periods a migrant house is nearly always empty; inside them it
    is home most of the time; a market day empties mornings more than afternoons."""
    migrant = next(b for i in range(500) if (b := behaviour(7, f"61{i:09d}")).kind == "migrant")
    assert max(migrant.home_on(DayContext(2))) < 0.2
    assert min(migrant.home_on(DayContext(2, returning=True))) > 0.3
    resident = next(b for i in range(500) if (b := behaviour(7, f"61{i:09d}")).kind == "punctual")
    market = resident.home_on(DayContext(3, market=True))
    ordinary = resident.home_on(DayContext(3))
    assert market[0] / ordinary[0] < market[3] / ordinary[3] < 1


def test_the_demo_calendar_returns_migrants_before_the_festival():
    """The station's return period starts two weeks before Spring Festival."""
    import random

    cal = demo_calendar(random.Random(1), ["甲村", "乙村"], dt.date(2026, 12, 31))
    sf = SPRING_FESTIVAL[2027]
    assert cal.returning(sf - dt.timedelta(days=10)) and not cal.returning(
        sf - dt.timedelta(days=20)
    )
    assert cal.holiday(sf) and not cal.holiday(sf - dt.timedelta(days=10))
