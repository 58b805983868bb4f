"""Responsibility history: day-D queries and idempotent bulk reassignment."""

from __future__ import annotations

import datetime as dt

import pytest

from core.accounts.customers import local_today
from core.accounts.responsibility import reassign, responsible_on
from core.errors import Conflict
from core.models import Account, Role, User

WEST = [[110.0, 34.0], [110.3, 34.0], [110.3, 34.3], [110.0, 34.3], [110.0, 34.0]]
D1, D2 = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


@pytest.fixture
def team(factory, client):
    st = factory.station()
    sup = factory.user(Role.SUPERVISOR, st)
    a, b = factory.user(Role.COLLECTOR, st), factory.user(Role.COLLECTOR, st)
    return st, sup, a, b, factory.token(sup, client)


def test_history_answers_who_was_responsible_on_each_day(team, factory, session):
    """After two changes each day maps to its collector; rows cover [valid_from, valid_to)."""
    st, sup, a, b, _ = team
    acc = factory.account(st, a)  # a from 2020-01-01
    assert reassign(session, [acc.id], b.id, D1, sup.id).changed == 1
    assert reassign(session, [acc.id], a.id, D2, sup.id).changed == 1
    on = lambda d: responsible_on(session, acc.id, d).collector_id  # noqa: E731
    assert on(D1 - dt.timedelta(days=1)) == a.id
    assert on(D1) == b.id and on(D2 - dt.timedelta(days=1)) == b.id
    assert on(D2) == a.id and on(dt.date(2030, 1, 1)) == a.id
    assert responsible_on(session, acc.id, dt.date(2019, 12, 31)) is None


def test_reassigning_to_the_same_collector_is_a_no_op(team, factory, session):
    """A second identical reassignment changes nothing and adds no history."""
    st, sup, a, b, _ = team
    acc = factory.account(st, a)
    assert reassign(session, [acc.id], b.id, D1, sup.id).changed == 1
    again = reassign(session, [acc.id], b.id, D1, sup.id)
    assert (again.changed, again.unchanged) == (0, 1)
    from core.accounts.responsibility import history

    assert [h.collector_id for h in history(session, acc.id)] == [a.id, b.id]


def test_same_day_change_replaces_the_row_and_backdating_conflicts(team, factory, session):
    """Two changes on one day leave one row; a change before the current row is refused."""
    st, sup, a, b, _ = team
    c = factory.user(Role.COLLECTOR, st)
    acc = factory.account(st, a)
    reassign(session, [acc.id], b.id, D2, sup.id)
    reassign(session, [acc.id], c.id, D2, sup.id)
    assert responsible_on(session, acc.id, D2).collector_id == c.id
    with pytest.raises(Conflict):
        reassign(session, [acc.id], a.id, D1, sup.id)


def test_bulk_reassign_by_territory_ids_and_polygon(team, factory, client, session):
    """One call moves a territory's, a list's or a polygon's accounts; a repeat is a no-op."""
    st, sup, a, b, headers = team
    inside = [factory.account(st, a, lonlat=(110.1, 34.1)) for _ in range(3)]
    outside = factory.account(st, a, lonlat=(110.5, 34.1))
    terr = factory.territory(
        st, "MULTIPOLYGON(((110.0 34.0,110.3 34.0,110.3 34.3,110.0 34.3,110.0 34.0)))"
    )
    session.execute(
        Account.__table__.update()
        .where(Account.id.in_([x.id for x in inside]))
        .values(territory_id=terr.id)
    )
    version = session.get(User, b.id).token_version
    body = {"collector_id": b.id, "territory_id": terr.id}
    resp = client.post("/api/responsibility/reassign", json=body, headers=headers)
    assert resp.status_code == 200, resp.json
    assert (resp.json["changed"], resp.json["unchanged"]) == (3, 0)
    again = client.post("/api/responsibility/reassign", json=body, headers=headers).json
    assert (again["changed"], again["unchanged"]) == (0, 3)
    by_poly = client.post(
        "/api/responsibility/reassign",
        json={"collector_id": a.id, "area": {"type": "Polygon", "coordinates": [WEST]}},
        headers=headers,
    ).json
    assert by_poly["changed"] == 3
    by_ids = client.post(
        "/api/responsibility/reassign",
        json={"collector_id": b.id, "account_ids": [outside.id]},
        headers=headers,
    ).json
    assert by_ids["changed"] == 1
    session.expire_all()
    assert session.get(User, b.id).token_version == version  # reassigning accounts bumps nothing
    today = local_today(st).isoformat()
    rows = client.get(
        f"/api/responsibility?on={today}&collector_id={b.id}&limit=500", headers=headers
    ).json
    assert {r["account_id"] for r in rows} == {outside.id}


@pytest.mark.parametrize(
    "body",
    [
        {"account_ids": [1]},
        {"collector_id": 1},
        {"collector_id": 1, "account_ids": [1], "territory_id": 1},
        {"collector_id": 1, "account_ids": []},
        {"collector_id": 1, "account_ids": [1], "effective": "1999-01-01"},
        {"collector_id": 1, "account_ids": [1], "surprise": True},
    ],
)
def test_bad_reassignment_requests_answer_422(team, client, body):
    """Missing collector, zero or several selectors, far dates and unknown fields answer 422."""
    *_, headers = team
    resp = client.post("/api/responsibility/reassign", json=body, headers=headers)
    assert resp.status_code == 422, resp.json
    assert resp.content_type == "application/problem+json"


def test_reassignment_cannot_reach_outside_scope(team, factory, client):
    """Other stations' accounts and collectors are unknown (422); collectors get 403."""
    st, sup, a, b, headers = team
    other = factory.station()
    foreign_acc = factory.account(other)
    foreign_col = factory.user(Role.COLLECTOR, other)
    own = factory.account(st, a)
    r1 = client.post(
        "/api/responsibility/reassign",
        json={"collector_id": b.id, "account_ids": [foreign_acc.id]},
        headers=headers,
    )
    assert r1.status_code == 422 and "account_ids" in r1.json["errors"]["json"]
    r2 = client.post(
        "/api/responsibility/reassign",
        json={"collector_id": foreign_col.id, "account_ids": [own.id]},
        headers=headers,
    )
    assert r2.status_code == 422 and "collector_id" in r2.json["errors"]["json"]
    r3 = client.post(
        "/api/responsibility/reassign",
        json={"collector_id": b.id, "account_ids": [own.id]},
        headers=factory.token(a, client),
    )
    assert r3.status_code == 403
