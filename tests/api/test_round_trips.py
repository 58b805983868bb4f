"""Hot paths in few SQL round trips: the account card in one, a cached route, pack, card or
account list page in none (the token checked once before)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.scans import captured


@pytest.fixture
def routed(factory: Any, client: Any, plan_day: Any) -> Any:
    """A station day planned and published for tomorrow; the west collector's headers."""
    from tests.support.plans import build_day

    day = build_day(factory, per_side=2)
    plan_day(day, factory.token(day.supervisor, client))
    day.me = factory.token(day.west, client)
    return day


def _paths(day: Any) -> dict[str, str]:
    return {
        "route": f"/api/me/route?date={day.plan_date}",
        "pack": f"/api/me/route/pack?date={day.plan_date}",
        "account card": f"/api/accounts/{day.accounts['west'][0].id}",
        "sync": "/api/sync",
        "account list": "/api/accounts?limit=50",
    }


def test_the_account_card_takes_one_round_trip(client: Any, routed: Any, connection: Any) -> None:
    """GET /api/accounts/{id} with a checked token (another card checked it and read the
    station's time zone): the scoped account with its amounts; once cached, nothing."""
    client.get(f"/api/accounts/{routed.accounts['west'][1].id}", headers=routed.me)
    with captured(connection) as statements:
        resp = client.get(_paths(routed)["account card"], headers=routed.me)
    assert resp.status_code == 200, resp.json
    assert len(statements) == 1, [s[:90] for s, _ in statements]
    with captured(connection) as statements:
        again = client.get(_paths(routed)["account card"], headers=routed.me)
    assert again.data == resp.data
    assert statements == [], [s[:90] for s, _ in statements]
    listed = client.get("/api/accounts?limit=500", headers=routed.me).json
    (same,) = [a for a in listed if a["id"] == resp.json["id"]]
    # The account and the amounts read with it are the list's (which reads them apart).
    assert resp.json == {k: same[k] for k in resp.json}
    assert {"arrears", "oldest_due", "days_overdue"} <= resp.json.keys()


@pytest.mark.parametrize("name", ["route", "pack", "account card", "account list"])
def test_a_warm_day_document_takes_no_round_trip(
    name: str, client: Any, routed: Any, connection: Any
) -> None:
    """Route, pack, a card or a list page, once built and the token once checked: no
    statement at all."""
    client.get(_paths(routed)[name], headers=routed.me)
    with captured(connection) as statements:
        resp = client.get(_paths(routed)[name], headers=routed.me)
    assert resp.status_code == 200, resp.json
    assert statements == [], [s[:90] for s, _ in statements]


@pytest.mark.parametrize("name", ["route", "pack", "account card", "account list"])
def test_a_warm_day_document_takes_one_redis_round_trip(
    name: str, client: Any, app: Any, routed: Any, monkeypatch: Any
) -> None:
    """The token's check, the document's versions and the document: one MGET, for a
    fetch and for a 304 revalidation alike."""
    path = _paths(routed)[name]
    first = client.get(path, headers=routed.me)
    redis = app.extensions["redis"]
    commands: list[Any] = []
    original = redis.execute_command

    def counted(*args: Any, **kwargs: Any) -> Any:
        commands.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(redis, "execute_command", counted)
    again = client.get(path, headers=routed.me)
    revalidated = client.get(path, headers=routed.me | {"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.data == first.data
    assert revalidated.status_code == 304
    assert commands == ["MGET", "MGET"]
