"""The month simulation's money yardsticks: door money; door money plus the money paid
online as promised on the evening's call; the same without late fees; what the
collectors added beyond the idle month."""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal

import pytest

from bench.month_sim import CSV_FIELDS, Stats, csv_row
from bench.month_sim_tables import added_by

ARGS = argparse.Namespace(
    family="default",
    seed=7,
    draw_seed=3,
    no_calls=False,
    calls_first_band=False,
    station="LN-JINGCUN",
    iterations=300,
    time_limit=120,
    commit="abc1234",
    pay_draw="day",
)


def month(call_online: str, call_principal: str = "0") -> Stats:
    s = Stats("model", collectors=8, days=21, start_principal=Decimal(1_000_000))
    s.field_amount = Decimal("1680000")
    s.field_principal = Decimal("600000")
    s.online_principal = Decimal("100000")
    s.call_online = Decimal(call_online)
    s.call_principal = Decimal(call_principal)
    s.promise_online = Decimal("50000")  # kept door promises: reported, in neither yardstick
    return s


def test_phone_promised_money_counts_in_collected_not_at_the_door() -> None:
    row = csv_row(month("168000"), ARGS, [dt.date(2027, 1, 1)])
    assert set(row) == set(CSV_FIELDS)
    assert row["collector_days"] == 168
    assert row["yuan_per_collector_day"] == "10000.0"
    assert row["collected_yuan_per_collector_day"] == "11000.0"
    assert row["promise_online_yuan"] == "50000.00"


def test_collected_principal_leaves_the_late_fees_out() -> None:
    """Door yuan 1,680,000 of which 600,000 principal; the calls' 168,000 of which 84,000."""
    row = csv_row(month("168000", "84000"), ARGS, [dt.date(2027, 1, 1)])
    assert row["collected_principal_per_collector_day"] == "4071.4"
    assert row["collected_yuan_per_collector_day"] == "11000.0"


def test_without_calls_both_yardsticks_agree() -> None:
    row = csv_row(month("0"), ARGS, [dt.date(2027, 1, 1)])
    assert row["collected_yuan_per_collector_day"] == row["yuan_per_collector_day"]


def test_added_is_the_station_money_beyond_the_idle_month_per_collector_day() -> None:
    """The collectors' added principal: station money less what the same draws brought in
    with nobody out, so door money that would have come online anyway adds nothing."""
    row = {k: str(v) for k, v in csv_row(month("0"), ARGS, [dt.date(2027, 1, 1)]).items()}
    model, amount, idle = (
        row | {"policy": p, "station_rate": r}  # as read back from the CSV: strings
        for p, r in (("model", "0.8000"), ("amount", "0.7500"), ("idle", "0.2000"))
    )
    idle["start_principal"] = "1680000.00"
    added = added_by({"3": idle})
    assert added(model) == pytest.approx(0.6 * 1_680_000 / 168)  # 6,000 yuan a day
    assert added(amount) == pytest.approx(5_500)
    assert csv_row(month("0"), ARGS, [dt.date(2027, 1, 1)])["start_principal"] == "1000000.00"
