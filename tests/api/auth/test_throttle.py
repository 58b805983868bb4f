"""Throttling that holds (issue 16, item 5): attempts are counted atomically before the
password check, per username whatever the device id, and per client address; a parallel
burst cannot pass the limit; the refusal is 429 with Retry-After."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid

import pytest

from core.models import Role
from core.users.throttle import MAX_FAILURES, LoginThrottle, ThrottleLimits
from tests.factories import PASSWORD


def _post_login(client, username, password, **extra):
    return client.post(
        "/api/auth/login", json={"username": username, "password": password}, **extra
    )


def test_new_device_id_each_time_does_not_escape_the_username_limit(factory, client, app):
    """Wrong passwords with a fresh device id each still reach 429 within the limit."""
    user = factory.user(Role.ADMIN)
    try:
        answers = [
            client.post(
                "/api/auth/login",
                json={
                    "username": user.username,
                    "password": "bad",
                    "device_id": uuid.uuid4().hex,
                },
            ).status_code
            for _ in range(MAX_FAILURES + 2)
        ]
        assert answers[:MAX_FAILURES] == [401] * MAX_FAILURES
        assert answers[MAX_FAILURES:] == [429, 429]
        blocked = _post_login(client, user.username.upper(), PASSWORD)  # case does not help
        assert blocked.status_code == 429, blocked.json
        assert int(blocked.headers["Retry-After"]) >= 1
        assert blocked.mimetype == "application/problem+json"
    finally:
        app.extensions["login_throttle"].succeeded(user.username)


def test_a_success_clears_the_username_count(factory, client, app):
    """A right password before the limit starts the count again."""
    user = factory.user(Role.ADMIN)
    for _ in range(MAX_FAILURES - 1):
        assert _post_login(client, user.username, "bad").status_code == 401
    assert _post_login(client, user.username, PASSWORD).status_code == 200
    for _ in range(MAX_FAILURES - 1):
        assert _post_login(client, user.username, "bad").status_code == 401
    assert _post_login(client, user.username, PASSWORD).status_code == 200


@pytest.fixture
def tight_address(app, monkeypatch):
    """The app's throttle with a per-address limit of 5 attempts a minute."""
    base = app.extensions["login_throttle"]
    throttle = LoginThrottle(
        app.extensions["redis"],
        prefix=f"test-addr-{uuid.uuid4().hex}",
        limits=ThrottleLimits(per_address=5),
    )
    monkeypatch.setitem(app.extensions, "login_throttle", throttle)
    yield throttle
    assert base is not throttle


def test_one_address_trying_many_usernames_gets_429(factory, client, tight_address):
    """An address spraying passwords over many usernames is refused past its limit."""
    addr = {"environ_base": {"REMOTE_ADDR": "203.0.113.7"}}
    answers = [
        _post_login(client, f"ghost-{i}", "bad", **addr).status_code for i in range(7)
    ]
    assert answers == [401] * 5 + [429, 429]
    user = factory.user(Role.ADMIN)
    assert _post_login(client, user.username, PASSWORD, **addr).status_code == 429
    other = {"environ_base": {"REMOTE_ADDR": "198.51.100.9"}}
    assert _post_login(client, user.username, PASSWORD, **other).status_code == 200


def test_parallel_burst_cannot_pass_the_limit(live_server):
    """40 wrong passwords sent at once to a threaded server: at most the limit are checked
    (401), every other answer is 429 with Retry-After."""
    username = f"burst-{uuid.uuid4().hex[:12]}"
    body = json.dumps({"username": username, "password": "wrong-password"}).encode()
    start = threading.Barrier(40)
    answers: list[tuple[int, str | None]] = []
    lock = threading.Lock()

    def _try() -> None:
        req = urllib.request.Request(
            f"{live_server.url}/api/auth/login",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        start.wait()
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                got = (resp.status, None)
        except urllib.error.HTTPError as e:
            got = (e.code, e.headers.get("Retry-After"))
        with lock:
            answers.append(got)

    threads = [threading.Thread(target=_try) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = [s for s, _ in answers]
    assert len(statuses) == 40
    assert statuses.count(401) <= MAX_FAILURES, statuses
    assert statuses.count(429) == 40 - statuses.count(401), statuses
    assert all(ra and int(ra) >= 1 for s, ra in answers if s == 429)
