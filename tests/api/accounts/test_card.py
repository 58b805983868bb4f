"""GET /api/accounts/{id}/card: one request gives the map's account card."""

from __future__ import annotations

import datetime as dt

from core.models import Outcome, Role
from tests.factories import BASE, point
from tests.support.plans import visit


def _world(factory):
    station = factory.station()
    sup = factory.user(Role.SUPERVISOR, station)
    col = factory.user(Role.COLLECTOR, station, display_name="王收费")
    account = factory.account(station, col)
    factory.bill(account, dt.date(2026, 1, 1), "120.50", dt.date(2026, 2, 1))
    return station, sup, col, account


def test_the_card_gives_the_amount_due_bills_responsible_and_latest_visits_first(
    factory, client, session
):
    """Amount due equals /api/arrears, bills listed, the collector named, visits latest first."""
    _, sup, col, account = _world(factory)
    for days_ago, outcome in ((9, Outcome.REFUSED), (2, Outcome.NOBODY_HOME)):
        visit(session, account, col, outcome, days_ago=days_ago)
    headers = factory.token(sup, client)
    card = client.get(f"/api/accounts/{account.id}/card", headers=headers)
    assert card.status_code == 200, card.json
    due = client.get(f"/api/arrears/{account.id}", headers=headers).json
    assert card.json["due"] == due and due["net"] != "0.00"
    assert [b["principal"] for b in card.json["due"]["bills"]] == ["120.50"]
    assert card.json["responsible"] == {"id": col.id, "display_name": "王收费"}
    assert [v["outcome"] for v in card.json["visits"]] == ["nobody_home", "refused"]
    assert card.json["visits"][0]["collector_name"] == "王收费"
    assert card.json["account"]["number"] == account.number


def test_location_check_follows_the_latest_word_from_the_field(factory, client, session):
    """Unconfirmed without visits; a fix at the door confirms; a later wrong_location report
    overrides it; a fix far away counts as fix_far."""
    _, sup, col, account = _world(factory)
    headers = factory.token(sup, client)

    def quality():
        return client.get(f"/api/accounts/{account.id}/card", headers=headers).json[
            "location_check"
        ]

    assert quality() == {"status": "unconfirmed", "fixes": 0, "nearest_fix_m": None}
    near = visit(session, account, col, Outcome.PAID, days_ago=5)
    near.fix = point(BASE[0] + 0.0002, BASE[1])  # ~18 m east
    session.flush()
    q = quality()
    assert q["status"] == "confirmed" and q["fixes"] == 1 and 10 < q["nearest_fix_m"] < 30
    visit(session, account, col, Outcome.WRONG_LOCATION, days_ago=1)
    assert quality()["status"] == "reported_wrong"

    other = factory.account(factory.station(), None)
    far = visit(session, other, col, Outcome.NOBODY_HOME, days_ago=3)
    far.fix = point(BASE[0] + 0.01, BASE[1])  # ~920 m
    session.flush()
    other_q = client.get(
        f"/api/accounts/{other.id}/card", headers=factory.token(factory.user(Role.ADMIN), client)
    ).json["location_check"]
    assert other_q["status"] == "fix_far" and other_q["nearest_fix_m"] > 800


def test_the_card_is_scoped_like_the_account(factory, client):
    """Another station's supervisor, or a collector not responsible, gets 404."""
    station, _, col, account = _world(factory)
    other_sup = factory.user(Role.SUPERVISOR, factory.station())
    other_col = factory.user(Role.COLLECTOR, station)
    for user in (other_sup, other_col):
        resp = client.get(f"/api/accounts/{account.id}/card", headers=factory.token(user, client))
        assert resp.status_code == 404
    own = client.get(f"/api/accounts/{account.id}/card", headers=factory.token(col, client))
    assert own.status_code == 200
