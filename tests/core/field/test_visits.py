"""Visits from the phone: stored exactly once, authorised by the assignment on the visit day."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from core.models import AccountResponsibility, Role, Visit

NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _visit(account_id, **kw):
    body = {
        "id": str(uuid.uuid4()),
        "account_id": account_id,
        "outcome": "nobody_home",
        "device_time": NOW.isoformat(),
        "fix": {"lon": 110.3, "lat": 34.14, "accuracy_m": 12.0, "crs": "wgs84"},
    }
    body.update(kw)
    return body


def _count(session, visit_id):
    return session.scalar(select(func.count()).select_from(Visit).where(Visit.id == visit_id))


def test_visit_is_stored_once_and_replay_is_marked(factory, client, session):
    """The first upload answers 201, an identical resend 200 'replayed', one row stored."""
    st = factory.station()
    me = factory.user(Role.COLLECTOR, st)
    acc = factory.account(st, me)
    headers = factory.token(me, client)
    body = _visit(acc.id)
    first = client.post("/api/visits", json=body, headers=headers)
    again = client.post("/api/visits", json=body, headers=headers)
    assert (first.status_code, first.json["status"]) == (201, "created")
    assert (again.status_code, again.json["status"]) == (200, "replayed")
    assert _count(session, body["id"]) == 1


def test_same_id_with_another_body_is_refused(factory, client, session):
    """Reusing a visit id with a different outcome answers 422 and keeps the stored visit."""
    st = factory.station()
    me = factory.user(Role.COLLECTOR, st)
    acc = factory.account(st, me)
    headers = factory.token(me, client)
    body = _visit(acc.id)
    client.post("/api/visits", json=body, headers=headers)
    tampered = client.post("/api/visits", json=body | {"outcome": "refused"}, headers=headers)
    assert tampered.status_code == 422 and tampered.content_type == "application/problem+json"
    assert "nobody_home" not in tampered.get_data(as_text=True)
    assert session.get(Visit, uuid.UUID(body["id"])).outcome.value == "nobody_home"


def test_gcj02_fix_is_stored_as_wgs84(factory, client, session):
    """A fix declared in GCJ-02 is converted: the stored point moves by hundreds of metres."""
    st = factory.station()
    me = factory.user(Role.COLLECTOR, st)
    acc = factory.account(st, me)
    body = _visit(acc.id, fix={"lon": 110.3, "lat": 34.14, "accuracy_m": 5, "crs": "gcj02"})
    assert (
        client.post("/api/visits", json=body, headers=factory.token(me, client)).status_code == 201
    )
    moved = session.scalar(
        select(
            func.ST_Distance(
                func.geography(Visit.fix),
                func.geography(func.ST_SetSRID(func.ST_MakePoint(110.3, 34.14), 4326)),
            )
        ).where(Visit.id == uuid.UUID(body["id"]))
    )
    assert 250 < moved < 800


def test_visit_to_another_collectors_account_is_404(factory, client):
    """A visit for an account someone else is responsible for answers 404, like a missing one."""
    st = factory.station()
    me, other = factory.user(Role.COLLECTOR, st), factory.user(Role.COLLECTOR, st)
    acc = factory.account(st, other)
    resp = client.post("/api/visits", json=_visit(acc.id), headers=factory.token(me, client))
    assert resp.status_code == 404


def test_visit_made_before_a_reassignment_is_accepted(factory, client, session):
    """Authorisation uses the assignment on the visit's day, not today's."""
    st = factory.station()
    me, successor = factory.user(Role.COLLECTOR, st), factory.user(Role.COLLECTOR, st)
    acc = factory.account(st, me)
    history = session.scalars(
        select(AccountResponsibility).where(AccountResponsibility.account_id == acc.id)
    ).one()
    history.valid_to = dt.date(2026, 11, 22)
    session.add(
        AccountResponsibility(
            account_id=acc.id, collector_id=successor.id, valid_from=dt.date(2026, 11, 22)
        )
    )
    acc.responsible_id = successor.id
    session.flush()
    resp = client.post("/api/visits", json=_visit(acc.id), headers=factory.token(me, client))
    assert resp.status_code == 201
    late = _visit(acc.id, device_time=(NOW + dt.timedelta(days=3)).isoformat())
    assert (
        client.post("/api/visits", json=late, headers=factory.token(me, client)).status_code == 404
    )


def test_batch_is_per_item_and_a_resend_adds_nothing(factory, client, session):
    """50 items with 3 invalid: 47 stored, 3 itemised rejections; the resend adds 0 rows."""
    st = factory.station()
    me = factory.user(Role.COLLECTOR, st)
    acc = factory.account(st, me)
    headers = factory.token(me, client)
    items = [_visit(acc.id) for _ in range(47)]
    items.insert(5, _visit(acc.id, outcome="teleported"))
    items.insert(20, _visit(acc.id, outcome="promise"))  # a promise without its date
    items.insert(30, {"id": "not-a-uuid", "account_id": acc.id})
    before = session.scalar(select(func.count()).select_from(Visit))
    first = client.post("/api/visits/batch", json={"items": items}, headers=headers)
    assert first.status_code == 200
    assert (first.json["created"], first.json["rejected"]) == (47, 3)
    assert [r["index"] for r in first.json["items"] if r["status"] == "rejected"] == [5, 20, 30]
    assert session.scalar(select(func.count()).select_from(Visit)) == before + 47
    resend = client.post("/api/visits/batch", json={"items": items}, headers=headers)
    assert resend.json["replayed"] == 47
    assert session.scalar(select(func.count()).select_from(Visit)) == before + 47


def test_supervisors_do_not_record_visits(factory, client):
    """Only collectors record visits."""
    st = factory.station()
    sup = factory.user(Role.SUPERVISOR, st)
    acc = factory.account(st)
    assert (
        client.post(
            "/api/visits", json=_visit(acc.id), headers=factory.token(sup, client)
        ).status_code
        == 403
    )


def test_every_batch_endpoint_answers_one_shape(client, field):
    """Visit and payment batches answer ``items`` (each reason a code string, field errors
    under ``errors``) and the same counts."""
    visits = client.post(
        "/api/visits/batch",
        json={"items": [_visit(field.account.id), _visit(field.account.id, outcome="x")]},
        headers=field.collector_auth,
    ).json
    payments = client.post(
        "/api/payments/batch",
        json={"items": [field.payment("1.00"), field.payment("-1")]},
        headers=field.collector_auth,
    ).json
    for answer in (visits, payments):
        assert set(answer) == {"items", "created", "replayed", "rejected", "quarantined"}
        assert (answer["created"], answer["rejected"]) == (1, 1)
        bad = answer["items"][1]
        assert (bad["index"], bad["status"], bad["reason"]) == (1, "rejected", "invalid")
        assert isinstance(bad["errors"], dict) and bad["errors"]
        assert {"index", "id", "status", "reason", "errors"} <= set(answer["items"][0])


def test_a_visit_in_year_one_is_a_422_on_its_time(factory, client):
    """device_time in year 1 answers 422 on the field, not 404 for an existing account."""
    st = factory.station()
    me = factory.user(Role.COLLECTOR, st)
    acc = factory.account(st, me)
    body = _visit(acc.id, device_time="0001-01-01T00:00:00+08:00")
    resp = client.post("/api/visits", json=body, headers=factory.token(me, client))
    assert resp.status_code == 422, resp.json
    assert "device_time" in resp.json["errors"]["json"]


def test_promises_in_the_past_and_visits_from_the_future_are_refused(factory, client):
    """A promise dated before the visit's day, or a device_time hours ahead, answers 422."""
    st = factory.station()
    me = factory.user(Role.COLLECTOR, st)
    acc = factory.account(st, me)
    headers = factory.token(me, client)
    past = _visit(
        acc.id, outcome="promise", promise_date=(NOW.date() - dt.timedelta(days=1)).isoformat()
    )
    resp = client.post("/api/visits", json=past, headers=headers)
    assert resp.status_code == 422 and "promise_date" in resp.json["errors"]["json"]
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    future = _visit(acc.id, device_time=ahead.isoformat())
    resp = client.post("/api/visits", json=future, headers=headers)
    assert resp.status_code == 422 and "device_time" in resp.json["errors"]["json"]
    batch = client.post("/api/visits/batch", json={"items": [past, future]}, headers=headers).json
    assert [(i["reason"], list(i["errors"])) for i in batch["items"]] == [
        ("invalid", ["promise_date"]),
        ("invalid", ["device_time"]),
    ]
