"""Delta sync: nothing missed under out-of-order commits, tombstones when scope is lost."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, delete, func, select, text, update
from sqlalchemy.orm import Session

from core.field import sync as service
from core.models import (
    Account,
    AccountResponsibility,
    ChangeLog,
    Channel,
    CollectorProfile,
    County,
    EntryKind,
    Payment,
    PaymentAllocation,
    Role,
    Station,
    SyncHorizon,
    User,
    user_station,
)
from core.money.due_many import dues_of
from core.scope import Scope, get_scoped
from tests.factories import Factory

TODAY = dt.date(2026, 11, 26)


def _sync(client, headers, cursor=None):
    query = "/api/sync" + (f"?cursor={cursor}" if cursor else "")
    resp = client.get(query, headers=headers)
    assert resp.status_code == 200, resp.json
    return resp.json


def test_full_resync_lists_my_accounts_only(factory, client):
    """Cursor 0 returns every account I am responsible for and nobody else's."""
    st = factory.station()
    me, other = factory.user(Role.COLLECTOR, st), factory.user(Role.COLLECTOR, st)
    mine = {factory.account(st, me).id for _ in range(3)}
    factory.account(st, other)
    page = _sync(client, factory.token(me, client))
    assert page["full"] is True
    assert {int(c["id"]) for c in page["changes"]} == mine
    assert all(c["data"]["name"] and "amount_due" in c["data"] for c in page["changes"])


@pytest.fixture
def committed(engine, app):
    """A station with a collector and accounts, committed for real (other connections see it)."""
    with Session(engine, expire_on_commit=False) as s:
        f = Factory(s, app)
        st = f.station()
        collector, successor = f.user(Role.COLLECTOR, st), f.user(Role.COLLECTOR, st)
        accounts = [f.account(st, collector) for _ in range(6)]
        s.commit()
        yield collector, accounts, successor
        ids = [a.id for a in accounts]
        people = [collector.id, successor.id]
        s.execute(delete(ChangeLog).where(ChangeLog.audience_id.in_(people)))
        s.execute(delete(AccountResponsibility).where(AccountResponsibility.account_id.in_(ids)))
        s.execute(delete(Account).where(Account.id.in_(ids)))
        s.execute(delete(user_station).where(user_station.c.user_id.in_(people)))
        s.execute(delete(CollectorProfile).where(CollectorProfile.user_id.in_(people)))
        s.execute(delete(User).where(User.id.in_(people)))
        s.execute(delete(Station).where(Station.id == st.id))
        s.execute(delete(County).where(County.id == st.county_id))
        s.commit()


def _delta(engine, collector_id, cursor):
    with Session(engine) as s:
        page = service.changes_since(s, collector_id, cursor, TODAY, 500)
        return page


def _drain(
    engine, collector_id, cursor, want: set[int], seen: set[int], timeout: float = 150.0
) -> str:
    """Sync until ``want`` has been seen. Any transaction still open anywhere in the
    cluster (another test run) holds the snapshot xmin back, so delivery may lag."""
    deadline = time.monotonic() + timeout
    while True:
        page = _delta(engine, collector_id, cursor)
        cursor = str(page.cursor)
        seen |= {int(c.id) for c in page.changes}
        if want <= seen or time.monotonic() > deadline:
            return cursor
        time.sleep(0.05)


def _catch_up(engine, collector_id, cursor, timeout: float = 150.0) -> str:
    """Sync until every change already logged for ``collector_id`` is behind the cursor
    (a transaction open elsewhere in the cluster may hold the snapshot xmin back)."""
    with engine.connect() as conn:
        newest = conn.execute(
            select(func.max(ChangeLog.xid)).where(ChangeLog.audience_id == collector_id)
        ).scalar()
    deadline = time.monotonic() + timeout
    while True:
        page = _delta(engine, collector_id, cursor)
        cursor = str(page.cursor)
        if newest is None or page.cursor.xid > newest or time.monotonic() > deadline:
            return cursor
        time.sleep(0.05)


def test_out_of_order_commits_are_never_missed(engine, committed):
    """A transaction that started first but commits last is still delivered by a later sync."""
    collector, accounts, _ = committed
    with Session(engine) as s:
        cursor = str(service.changes_since(s, collector.id, None, TODAY, 500).cursor)
    seen: set[int] = set()
    for round_ in range(3):
        early, late = accounts[2 * round_], accounts[2 * round_ + 1]
        cursor = _catch_up(engine, collector.id, cursor)
        with engine.connect() as slow:
            slow_tx = slow.begin()
            try:
                slow.execute(
                    update(Account).where(Account.id == early.id).values(notes=f"slow {round_}")
                )
                with engine.begin() as fast:  # starts later, commits first
                    fast.execute(
                        update(Account).where(Account.id == late.id).values(notes=f"fast {round_}")
                    )
                page = _delta(engine, collector.id, cursor)
                cursor = str(page.cursor)
                delivered = {int(c.id) for c in page.changes}
                assert early.id not in delivered  # its writer has not committed yet
                seen |= delivered
                slow_tx.commit()
            finally:
                if slow_tx.is_active:
                    slow_tx.rollback()
        cursor = _drain(engine, collector.id, cursor, {early.id, late.id}, seen)
        assert {early.id, late.id} <= seen
    assert {a.id for a in accounts} <= seen


def test_concurrent_writers_and_syncing_clients_miss_nothing(engine, committed):
    """K clients syncing while writers commit in random order end up with every change."""
    collector, accounts, _ = committed
    with Session(engine) as s:
        start = str(service.changes_since(s, collector.id, None, TODAY, 500).cursor)
    expected: set[tuple[int, str]] = set()
    lock = threading.Lock()

    def writer(k: int) -> None:
        for i in range(10):
            note = f"w{k}-{i}"
            with engine.begin() as conn:
                conn.execute(
                    update(Account)
                    .where(Account.id == accounts[(k + i) % len(accounts)].id)
                    .values(notes=note)
                )
                conn.execute(text("SELECT pg_sleep(0.002 * :k)"), {"k": (k * 7 + i) % 4})
            with lock:
                expected.add((accounts[(k + i) % len(accounts)].id, note))

    clients = [{"cursor": start, "seen": set()} for _ in range(3)]
    stop = threading.Event()

    def syncer(c: dict) -> None:
        while not stop.is_set():
            page = _delta(engine, collector.id, c["cursor"])
            c["cursor"] = str(page.cursor)
            c["seen"] |= {int(ch.id) for ch in page.changes}

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    sync_threads = [threading.Thread(target=syncer, args=(c,)) for c in clients]
    for t in threads + sync_threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    for t in sync_threads:
        t.join()
    want = {acc for acc, _ in expected}
    for c in clients:  # a final sync after the writers are done
        _drain(engine, collector.id, c["cursor"], want, c["seen"])
        assert want <= c["seen"]


def test_reassigned_account_becomes_a_tombstone_then_out_of_scope(engine, committed):
    """After reassignment the old collector syncs a tombstone (no personal data), loses access."""
    collector, accounts, successor = committed
    moved = accounts[0]
    with Session(engine) as s:
        old_cursor = str(service.changes_since(s, collector.id, None, TODAY, 500).cursor)
        new_cursor = str(service.changes_since(s, successor.id, None, TODAY, 500).cursor)
    old_scope = Scope(collector.id, Role.COLLECTOR, frozenset({moved.station_id}))
    with Session(engine) as s:
        assert get_scoped(s, Account, moved.id, old_scope) is not None
    with engine.begin() as conn:
        conn.execute(
            update(Account).where(Account.id == moved.id).values(responsible_id=successor.id)
        )

    def changes(who, cursor):
        found: dict[str, service.Change] = {}
        deadline = time.monotonic() + 150
        while str(moved.id) not in found and time.monotonic() < deadline:
            page = _delta(engine, who, cursor)
            cursor = str(page.cursor)
            found |= {c.id: c for c in page.changes}
        return found

    tombstone = changes(collector.id, old_cursor)[str(moved.id)]
    assert (tombstone.op, tombstone.data) == ("delete", None)
    arrival = changes(successor.id, new_cursor)[str(moved.id)]
    assert arrival.op == "upsert" and arrival.data["name"] == moved.name
    with Session(engine) as s:  # the same helper answers the API's 404
        assert get_scoped(s, Account, moved.id, old_scope) is None


def test_paid_bill_reaches_the_phone(factory, client, session):
    """A payment through any channel changes the account's amount due on the phone."""
    st = factory.station()
    me = factory.user(Role.COLLECTOR, st)
    acc = factory.account(st, me)
    bill = factory.bill(acc, dt.date(2026, 9, 1), "120.00", dt.date(2026, 10, 10))
    pid = uuid.uuid4()
    session.add(
        Payment(
            id=pid,
            kind=EntryKind.PAYMENT,
            account_id=acc.id,
            amount=Decimal("120.00"),
            channel=Channel.ALIPAY,
            channel_txn_id="T1",
            collected_at=dt.datetime.now(dt.UTC),
        )
    )
    session.flush()
    session.add(
        PaymentAllocation(
            payment_id=pid, bill_id=bill.id, principal=Decimal("120.00"), late_fee=Decimal("0")
        )
    )
    session.flush()
    audiences = session.scalars(
        select(ChangeLog.audience_id).where(
            ChangeLog.entity == "account", ChangeLog.entity_id == str(acc.id)
        )
    ).all()
    assert audiences.count(me.id) >= 3  # created, billed, paid
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    change = service._materialise(
        session,
        ChangeLog(entity="account", entity_id=str(acc.id), op="upsert"),
        me.id,
        dues_of(session, [acc.id], tomorrow),
    )
    assert change.data["principal"] == "0.00"


def test_expired_cursor_answers_410(factory, client, session):
    """A cursor older than the pruned history answers 410 Gone in problem+json."""
    st = factory.station()
    me = factory.user(Role.COLLECTOR, st)
    headers = factory.token(me, client)
    horizon = session.get(SyncHorizon, 1)
    if horizon is None:
        session.add(SyncHorizon(id=1, min_xid=10**12))
    else:
        horizon.min_xid = 10**12
    session.flush()
    resp = client.get("/api/sync?cursor=5-0", headers=headers)
    assert resp.status_code == 410 and resp.content_type == "application/problem+json"


def test_malformed_cursor_is_422(factory, client):
    """A cursor that is not ours answers 422."""
    st = factory.station()
    headers = factory.token(factory.user(Role.COLLECTOR, st), client)
    assert client.get("/api/sync?cursor=abc-def", headers=headers).status_code == 422


def test_a_cursor_from_the_future_is_gone(factory, client):
    """A cursor beyond every transaction so far answers 410: resync in full."""
    st = factory.station()
    me = factory.user(Role.COLLECTOR, st)
    factory.account(st, me)
    resp = client.get("/api/sync?cursor=999999999999", headers=factory.token(me, client))
    assert resp.status_code == 410 and resp.content_type == "application/problem+json"
    assert "cursor 0" in resp.json["detail"]


def test_a_full_resync_brings_my_recent_visits(factory, client, session):
    """Cursor 0 also lists the visits I recorded lately (not older ones, nor others')."""
    from core.models import Outcome, Visit

    st = factory.station()
    me, other = factory.user(Role.COLLECTOR, st), factory.user(Role.COLLECTOR, st)
    acc = factory.account(st, me)
    now = dt.datetime.now(dt.UTC)
    visits = {
        age: Visit(
            id=uuid.uuid4(),
            account_id=acc.id,
            collector_id=who.id,
            outcome=Outcome.NOBODY_HOME,
            device_time=now - dt.timedelta(days=age),
        )
        for age, who in ((2, me), (400, me), (1, other))
    }
    session.add_all(visits.values())
    session.flush()
    page = _sync(client, factory.token(me, client))
    listed = {c["id"]: c["data"] for c in page["changes"] if c["entity"] == "visit"}
    assert set(listed) == {str(visits[2].id)}
    assert listed[str(visits[2].id)]["outcome"] == "nobody_home"


def test_a_writer_left_open_in_another_database_holds_no_phone_back(engine, committed):
    """Transaction ids are the cluster's: a writing transaction open in another database
    (a bulk load beside us) must not hold this database's delta sync back."""
    collector, accounts, _ = committed
    cursor = _catch_up(engine, collector.id, None)
    neighbour = create_engine(engine.url.set(database="postgres"))
    try:
        with neighbour.connect() as other:
            other.begin()
            other.execute(text("SELECT pg_current_xact_id()"))  # it now holds an id
            with engine.begin() as conn:
                conn.execute(
                    update(Account).where(Account.id == accounts[0].id).values(notes="next door")
                )
            page = _delta(engine, collector.id, cursor)
            assert accounts[0].id in {int(c.id) for c in page.changes}
            other.rollback()
    finally:
        neighbour.dispose()
