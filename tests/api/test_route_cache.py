"""The route document cached in Redis: served without rebuilding, revalidated with 304
without a query beyond the token check, and changed (document and ETag) by every write
it shows: a payment, a visit, an account edit, a re-plan, a new late-fee rate day."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from core.models import Outcome
from core.planning.runner import run_plan_job
from tests.support.plans import FAST, TZ, build_day, local_today
from tests.support.scans import captured


@pytest.fixture
def routed(factory: Any, client: Any, plan_day: Any) -> Any:
    """A station day planned and published for tomorrow; the west collector's headers."""
    day = build_day(factory, per_side=2)
    day.sup = factory.token(day.supervisor, client)
    plan_day(day, day.sup)
    day.me = factory.token(day.west, client)
    day.url = f"/api/me/route?date={day.plan_date}"
    return day


def _stop_account(client: Any, day: Any) -> int:
    first = client.get(day.url, headers=day.me).json["stops"][0]
    return int(first["account"]["id"])


def test_a_revalidation_answers_304_without_sql(client: Any, routed: Any, connection: Any) -> None:
    """If-None-Match with the current ETag: 304, and no SQL (the token's check is cached)."""
    first = client.get(routed.url, headers=routed.me)
    assert first.status_code == 200
    with captured(connection) as statements:
        again = client.get(routed.url, headers=routed.me | {"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert statements == []


def test_a_second_fetch_is_served_from_the_cache(client: Any, routed: Any, connection: Any) -> None:
    """The same document comes back from Redis: no statement, same body."""
    first = client.get(routed.url, headers=routed.me)
    with captured(connection) as statements:
        again = client.get(routed.url, headers=routed.me)
    assert again.status_code == 200 and again.json == first.json
    assert again.headers["ETag"] == first.headers["ETag"]
    assert statements == []


def _pay(client: Any, day: Any) -> None:
    resp = client.post(
        "/api/payments",
        json={
            "id": str(uuid.uuid4()),
            "account_id": _stop_account(client, day),
            "amount": "10.00",
            "channel": "field_cash",
            "collected_at": dt.datetime.now(dt.UTC).isoformat(),
            "device_id": "phone-1",
        },
        headers=day.me,
    )
    assert resp.status_code == 201, resp.json


def _visit(client: Any, day: Any) -> None:
    resp = client.post(
        "/api/visits",
        json={
            "id": str(uuid.uuid4()),
            "account_id": _stop_account(client, day),
            "outcome": Outcome.NOBODY_HOME.value,
            "device_time": dt.datetime.now(dt.UTC).isoformat(),
        },
        headers=day.me,
    )
    assert resp.status_code == 201, resp.json


def _edit(client: Any, day: Any) -> None:
    path = f"/api/accounts/{_stop_account(client, day)}"
    etag = client.get(path, headers=day.sup).headers["ETag"]
    resp = client.patch(path, json={"phone": "13912345678"}, headers=day.sup | {"If-Match": etag})
    assert resp.status_code == 200, resp.json


def _late_fee_day(client: Any, day: Any) -> None:
    """A station rate version that starts on the route's day: that day's fees change."""
    resp = client.post(
        "/api/money/rates",
        json={
            "station_id": day.station.id,
            "effective_from": day.plan_date.isoformat(),
            "residential": "0.0100",
            "other_current_year": "0.0100",
            "other_earlier_years": "0.0100",
            "minimum": "5.00",
        },
        headers=day.sup,
    )
    assert resp.status_code == 201, resp.json


@pytest.mark.parametrize(
    "change",
    [_pay, _visit, _edit, _late_fee_day],
    ids=["payment", "visit", "edit", "late-fee-day"],
)
def test_each_write_it_shows_changes_the_document_and_its_etag(
    client: Any, routed: Any, change: Any
) -> None:
    """After the write, revalidating with the old ETag gets 200, a new ETag, a new body."""
    before = client.get(routed.url, headers=routed.me)
    client.get(routed.url, headers=routed.me)  # cached
    change(client, routed)
    after = client.get(routed.url, headers=routed.me | {"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.json != before.json


def test_a_replan_changes_the_document_and_its_etag(
    factory: Any, client: Any, app: Any, plan_day: Any
) -> None:
    """A collector's re-plan publishes a new version: the route document and ETag change."""
    day = build_day(factory, per_side=3)
    day.plan_date = local_today()
    plan_day(day, factory.token(day.supervisor, client))
    me = factory.token(day.west, client)
    url = f"/api/me/route?date={day.plan_date}"
    before = client.get(url, headers=me)
    resp = client.post(
        "/api/me/route/replan",
        json={"lon": 110.285, "lat": 34.135, "date": day.plan_date.isoformat(), "time_limit": 1},
        headers=me,
    )
    assert resp.status_code == 202, resp.json
    ten_am = dt.datetime.combine(day.plan_date, dt.time(10), TZ)
    job_id = uuid.UUID(resp.json["id"])
    assert run_plan_job(app.extensions["db_sessionmaker"], job_id, FAST, now=ten_am) == "done"
    after = client.get(url, headers=me | {"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.json["plan_id"] != before.json["plan_id"]


def test_a_cached_document_takes_one_redis_round_trip(
    client: Any, app: Any, routed: Any, monkeypatch: Any
) -> None:
    """Served from the cache, the token's check, the versions and the document come in
    one Redis command."""
    first = client.get(routed.url, headers=routed.me)
    cache = app.extensions["route_cache"]
    commands: list[Any] = []
    original = cache.redis.execute_command

    def counted(*args: Any, **kwargs: Any) -> Any:
        commands.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(cache.redis, "execute_command", counted)
    again = client.get(routed.url, headers=routed.me)
    etag = {"If-None-Match": first.headers["ETag"]}
    revalidated = client.get(routed.url, headers=routed.me | etag)
    assert again.status_code == 200 and again.data == first.data
    assert revalidated.status_code == 304
    assert commands == ["MGET", "MGET"]
