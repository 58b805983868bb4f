"""The refresh reuse interval (issue 15): a refresh token traded again within
``REFRESH_REUSE_INTERVAL_S`` of its first trade (an answer lost on a weak link, two pages
trading one cookie at once) gets a new pair of the same login; past the interval the
second trade is theft and revokes the login; a logged-out login stays logged out."""

from __future__ import annotations

from core.models import Role
from tests.factories import PASSWORD
from tests.support.auth_calls import login as _login
from tests.support.auth_calls import me as _me
from tests.support.auth_calls import refresh as _refresh
from tests.support.refresh import age_refresh_trades, past_the_interval

CSRF = "csrf_refresh_token"
REFRESH = "refresh_token_cookie"


def test_a_token_traded_again_within_the_interval_gets_a_new_pair_of_the_same_login(
    factory, client
):
    """The second trade inside the interval answers 200 with another pair; both pairs
    work, both new refresh tokens trade once more, nothing of the login is revoked."""
    user = factory.user(Role.COLLECTOR, factory.station())
    first = _login(client, user)
    lost = _refresh(client, first["refresh_token"])  # the answer the phone never got
    again = _refresh(client, first["refresh_token"])
    assert lost.status_code == 200 and again.status_code == 200, again.json
    assert again.json["refresh_token"] not in (lost.json["refresh_token"], first["refresh_token"])
    for pair in (first, lost.json, again.json):
        assert _me(client, pair["access_token"]).status_code == 200
    assert _refresh(client, again.json["refresh_token"]).status_code == 200
    assert _refresh(client, lost.json["refresh_token"]).status_code == 200


def test_a_token_traded_again_after_the_interval_revokes_the_login(factory, client, session, app):
    """Past the interval a second trade is refused and revokes the whole login: the
    successors of both trades inside the interval and every access token of it."""
    user = factory.user(Role.COLLECTOR, factory.station())
    first = _login(client, user)
    a = _refresh(client, first["refresh_token"]).json
    b = _refresh(client, first["refresh_token"]).json  # inside the interval: a branch
    past_the_interval(session, app)
    thief = _refresh(client, first["refresh_token"])
    assert thief.status_code == 401 and thief.content_type == "application/problem+json"
    assert "already used" in thief.json["detail"]
    for pair in (a, b):
        assert _refresh(client, pair["refresh_token"]).status_code == 401
        assert _me(client, pair["access_token"]).status_code == 401
    assert _me(client, first["access_token"]).status_code == 401
    other = _login(client, user)  # another login of the same user is untouched
    assert _me(client, other["access_token"]).status_code == 200


def test_the_interval_counts_from_the_first_trade_not_the_last(factory, client, session, app):
    """Trading again inside the interval does not extend it: once the first trade is
    older than the interval, the token is theft though its last trade was 10 s ago."""
    user = factory.user(Role.ADMIN)
    first = _login(client, user)
    assert _refresh(client, first["refresh_token"]).status_code == 200
    age_refresh_trades(session, app.config["REFRESH_REUSE_INTERVAL_S"] - 5)  # 5 s left
    assert _refresh(client, first["refresh_token"]).status_code == 200
    age_refresh_trades(session, 10)
    assert _refresh(client, first["refresh_token"]).status_code == 401


def test_a_logged_out_login_is_refused_within_the_interval_too(factory, client):
    """After logout the spent token and its successor are refused, interval or not."""
    user = factory.user(Role.SUPERVISOR, factory.station())
    first = _login(client, user)
    second = _refresh(client, first["refresh_token"]).json
    out = client.post(
        "/api/auth/logout", headers={"Authorization": f"Bearer {second['access_token']}"}
    )
    assert out.status_code == 204
    assert _refresh(client, first["refresh_token"]).status_code == 401
    assert _refresh(client, second["refresh_token"]).status_code == 401


def test_an_interval_of_zero_makes_every_second_trade_theft(factory, client, app, monkeypatch):
    """REFRESH_REUSE_INTERVAL_S = 0 turns the interval off: the immediate second trade
    revokes the login (the rotation of issue 16 as it was)."""
    monkeypatch.setitem(app.config, "REFRESH_REUSE_INTERVAL_S", 0)
    user = factory.user(Role.ADMIN)
    first = _login(client, user)
    second = _refresh(client, first["refresh_token"]).json
    assert _refresh(client, first["refresh_token"]).status_code == 401
    assert _me(client, second["access_token"]).status_code == 401


def test_a_page_whose_refresh_answer_was_lost_trades_its_old_cookie_again(factory, client):
    """A web page sends the cookie the jar kept (the new one never arrived): a new access
    token and a new cookie, inside the interval."""
    resp = client.post(
        "/api/auth/login",
        json={
            "username": factory.user(Role.COLLECTOR, factory.station()).username,
            "password": PASSWORD,
            "cookie": True,
        },
    )
    assert resp.status_code == 200
    old_refresh = client.get_cookie(REFRESH, path="/api/auth/").value
    old_csrf = client.get_cookie(CSRF, path="/").value
    assert client.post("/api/auth/refresh", headers={"X-CSRF-TOKEN": old_csrf}).status_code == 200
    client.set_cookie(REFRESH, old_refresh, path="/api/auth/")  # the answer was lost
    client.set_cookie(CSRF, old_csrf, path="/")
    again = client.post("/api/auth/refresh", headers={"X-CSRF-TOKEN": old_csrf})
    assert again.status_code == 200, again.json
    assert client.get_cookie(REFRESH, path="/api/auth/").value not in (old_refresh, None)
    me = client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {again.json['access_token']}"}
    )
    assert me.status_code == 200
