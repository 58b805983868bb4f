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
    statuses = [r["status"] for r in first.json["results"]]
    assert statuses.count("created") == 47 and statuses.count("rejected") == 3
    assert [r["index"] for r in first.json["results"] if r["status"] == "rejected"] == [5, 20, 30]
    assert session.scalar(select(func.count()).select_from(Visit)) == before + 47
    resend = client.post("/api/visits/batch", json={"items": items}, headers=headers)
    assert [r["status"] for r in resend.json["results"]].count("replayed") == 47
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
