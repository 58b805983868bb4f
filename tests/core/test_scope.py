"""Object-level scoping through the HTTP API: not yours and missing both answer 404."""

from __future__ import annotations

from core.models import Role


def test_collector_cannot_read_another_collectors_account(factory, client):
    """A collector gets 404 (not 403) for an account another collector is responsible for."""
    st = factory.station()
    mine, theirs = factory.user(Role.COLLECTOR, st), factory.user(Role.COLLECTOR, st)
    own_account = factory.account(st, mine)
    other_account = factory.account(st, theirs)
    headers = factory.token(mine, client)

    assert client.get(f"/api/accounts/{own_account.id}", headers=headers).status_code == 200
    resp = client.get(f"/api/accounts/{other_account.id}", headers=headers)
    assert resp.status_code == 404
    assert resp.content_type == "application/problem+json"
    assert resp.json == client.get("/api/accounts/999999999", headers=headers).json | {
        "instance": f"/api/accounts/{other_account.id}"
    }


def test_supervisor_sees_only_own_station(factory, client):
    """A supervisor reads their station's accounts and gets 404 for another station's."""
    st_a, st_b = factory.station(), factory.station()
    sup_a = factory.user(Role.SUPERVISOR, st_a)
    acc_a, acc_b = factory.account(st_a), factory.account(st_b)
    headers = factory.token(sup_a, client)

    assert client.get(f"/api/accounts/{acc_a.id}", headers=headers).status_code == 200
    assert client.get(f"/api/accounts/{acc_b.id}", headers=headers).status_code == 404
    listed = {a["id"] for a in client.get("/api/accounts?limit=500", headers=headers).json}
    assert acc_a.id in listed and acc_b.id not in listed


def test_admin_sees_every_station(factory, client):
    """An admin reads accounts of any station."""
    st_a, st_b = factory.station(), factory.station()
    admin = factory.user(Role.ADMIN)
    headers = factory.token(admin, client)
    for acc in (factory.account(st_a), factory.account(st_b)):
        assert client.get(f"/api/accounts/{acc.id}", headers=headers).status_code == 200
