"""The account card (GET /api/accounts/{id}) and the account list pages cached in Redis:
served without reading the account again, and rebuilt after every write that changes
what they show (a payment, an edit, a bill, a reassignment, a new day) or may change
it (a visit, a late-fee rate); never served to another caller."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from api import route_cache
from core.accounts import customers
from core.models import Outcome, Role
from tests.support.plans import overdue_bill
from tests.support.scans import captured


class World:
    def __init__(self, factory: Any, client: Any) -> None:
        self.station = factory.station()
        self.supervisor = factory.user(Role.SUPERVISOR, self.station)
        self.collector = factory.user(Role.COLLECTOR, self.station)
        self.other = factory.user(Role.COLLECTOR, self.station)
        self.account = factory.account(self.station, self.collector)
        overdue_bill(factory, self.account, "120.50")
        factory.session.commit()
        self.sup = factory.token(self.supervisor, client)
        self.me = factory.token(self.collector, client)
        self.card = f"/api/accounts/{self.account.id}"
        self.page = f"/api/accounts?station_id={self.station.id}&limit=50"


@pytest.fixture
def world(factory: Any, client: Any) -> World:
    return World(factory, client)


def _reads_accounts(statements: list[tuple[str, Any]]) -> bool:
    return any("FROM account" in s for s, _ in statements)


def test_a_second_card_or_page_is_served_from_the_cache(
    client: Any, world: World, connection: Any
) -> None:
    """Same body and ETag, no statement on accounts (only the token check may run); a
    revalidation answers 304."""
    for path, headers in ((world.card, world.me), (world.page, world.sup)):
        first = client.get(path, headers=headers)
        assert first.status_code == 200
        with captured(connection) as statements:
            again = client.get(path, headers=headers)
            revalidated = client.get(
                path, headers=headers | {"If-None-Match": first.headers["ETag"]}
            )
        assert again.status_code == 200 and again.data == first.data
        assert again.headers["ETag"] == first.headers["ETag"]
        assert revalidated.status_code == 304 and revalidated.data == b""
        assert not _reads_accounts(statements), statements


def test_the_cached_card_keeps_the_etag_an_edit_expects(client: Any, world: World) -> None:
    """The cached card's ETag is its body's: a PATCH with it in If-Match succeeds."""
    client.get(world.card, headers=world.sup)
    etag = client.get(world.card, headers=world.sup).headers["ETag"]  # from the cache
    resp = client.patch(world.card, json={"notes": "狗凶"}, headers=world.sup | {"If-Match": etag})
    assert resp.status_code == 200, resp.json


def test_the_next_page_links_come_back_with_a_cached_page(
    factory: Any, client: Any, world: World
) -> None:
    factory.account(world.station, world.collector)
    factory.session.commit()
    path = f"/api/accounts?station_id={world.station.id}&limit=1"
    first = client.get(path, headers=world.sup)
    again = client.get(path, headers=world.sup)
    assert first.headers["X-Next-Cursor"] and first.headers["Link"]
    assert again.headers["X-Next-Cursor"] == first.headers["X-Next-Cursor"]
    assert again.headers["Link"] == first.headers["Link"]


def _pay(factory: Any, client: Any, w: World) -> None:
    resp = client.post(
        "/api/payments",
        json={
            "id": str(uuid.uuid4()),
            "account_id": w.account.id,
            "amount": "10.00",
            "channel": "field_cash",
            "collected_at": dt.datetime.now(dt.UTC).isoformat(),
            "device_id": "phone-1",
        },
        headers=w.me,
    )
    assert resp.status_code == 201, resp.json


def _edit(factory: Any, client: Any, w: World) -> None:
    etag = client.get(w.card, headers=w.sup).headers["ETag"]
    resp = client.patch(w.card, json={"phone": "13912345678"}, headers=w.sup | {"If-Match": etag})
    assert resp.status_code == 200, resp.json


def _bill(factory: Any, client: Any, w: World) -> None:
    overdue_bill(factory, w.account, "33.30", days_overdue=5)
    factory.session.commit()


def _new_day(factory: Any, client: Any, w: World, monkeypatch: Any) -> None:
    """Tomorrow: one more day overdue (and the day's late fees)."""

    class Tomorrow(dt.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return dt.datetime.now(tz) + dt.timedelta(days=1)

    tomorrow = type("dt", (), {"datetime": Tomorrow, "timedelta": dt.timedelta})
    monkeypatch.setattr(route_cache, "dt", tomorrow)
    monkeypatch.setattr(customers, "dt", tomorrow)


@pytest.mark.parametrize(
    "change", [_pay, _edit, _bill, _new_day], ids=["payment", "edit", "bill", "new-day"]
)
@pytest.mark.parametrize("reader", ["card", "page"])
def test_each_write_it_shows_changes_the_answer_and_its_etag(
    factory: Any, client: Any, world: World, monkeypatch: Any, change: Any, reader: str
) -> None:
    """After the write, revalidating with the old ETag gets 200, a new ETag, a new body."""
    path, headers = (world.card, world.me) if reader == "card" else (world.page, world.sup)
    before = client.get(path, headers=headers)
    client.get(path, headers=headers)  # cached
    if change is _new_day:
        change(factory, client, world, monkeypatch)
    else:
        change(factory, client, world)
    after = client.get(path, headers=headers | {"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.json != before.json


def _visit(factory: Any, client: Any, w: World) -> None:
    resp = client.post(
        "/api/visits",
        json={
            "id": str(uuid.uuid4()),
            "account_id": w.account.id,
            "outcome": Outcome.NOBODY_HOME.value,
            "device_time": dt.datetime.now(dt.UTC).isoformat(),
        },
        headers=w.me,
    )
    assert resp.status_code == 201, resp.json


def _late_fee_rate(factory: Any, client: Any, w: World) -> None:
    resp = client.post(
        "/api/money/rates",
        json={
            "station_id": w.station.id,
            "effective_from": (dt.date.today() + dt.timedelta(days=2)).isoformat(),
            "residential": "0.0100",
            "other_current_year": "0.0100",
            "other_earlier_years": "0.0100",
            "minimum": "5.00",
        },
        headers=w.sup,
    )
    assert resp.status_code == 201, resp.json


@pytest.mark.parametrize("change", [_visit, _late_fee_rate], ids=["visit", "late-fee-rate"])
@pytest.mark.parametrize("reader", ["card", "page"])
def test_a_visit_or_a_rate_rebuilds_the_answer(
    factory: Any, client: Any, world: World, connection: Any, change: Any, reader: str
) -> None:
    """What the answer shows does not include visits or late fees, yet it is read again
    after either (the page's ETag, a version, moves; the card's is its body's)."""
    path, headers = (world.card, world.me) if reader == "card" else (world.page, world.sup)
    before = client.get(path, headers=headers)
    change(factory, client, world)
    with captured(connection) as statements:
        after = client.get(path, headers=headers)
    assert after.status_code == 200 and after.json == before.json
    assert _reads_accounts(statements), statements
    if reader == "page":
        assert after.headers["ETag"] != before.headers["ETag"]


def test_a_reassignment_moves_the_card_to_the_new_collector(
    factory: Any, client: Any, world: World
) -> None:
    """The cached card of the old collector is gone (404) once the account is another's;
    the new one reads it, and a list page follows."""
    other = factory.token(world.other, client)
    assert client.get(world.card, headers=world.me).status_code == 200
    client.get(world.card, headers=world.me)  # cached
    mine = client.get("/api/accounts?limit=50", headers=world.me)
    assert [a["id"] for a in mine.json] == [world.account.id]
    assert client.get(world.card, headers=other).status_code == 404
    etag = client.get(world.card, headers=world.sup).headers["ETag"]
    resp = client.patch(
        world.card, json={"responsible_id": world.other.id}, headers=world.sup | {"If-Match": etag}
    )
    assert resp.status_code == 200, resp.json
    assert client.get(world.card, headers=world.me).status_code == 404
    assert client.get(world.card, headers=other).json["responsible_id"] == world.other.id
    assert client.get("/api/accounts?limit=50", headers=world.me).json == []


def test_no_caller_gets_another_callers_cached_answer(
    factory: Any, client: Any, world: World
) -> None:
    """A card or page cached for one caller is not served to another collector, nor to a
    supervisor of another station."""
    elsewhere = factory.station()
    stranger = factory.user(Role.SUPERVISOR, elsewhere)
    factory.session.commit()
    for headers in (world.me, world.me, world.sup):
        assert client.get(world.card, headers=headers).status_code == 200
    client.get(world.page, headers=world.sup)
    other = factory.token(world.other, client)
    theirs = factory.token(stranger, client)
    assert client.get(world.card, headers=other).status_code == 404
    assert client.get(world.card, headers=theirs).status_code == 404
    assert client.get("/api/accounts?limit=50", headers=other).json == []
    page = client.get(world.page, headers=theirs)
    assert page.status_code == 422 or page.json == []


def test_many_accounts_changed_at_once_move_every_card(
    factory: Any, client: Any, world: World, connection: Any, monkeypatch: Any
) -> None:
    """Past MAX_ACCOUNT_BUMPS accounts in one commit, all cards follow (one counter moved
    instead of each account's): an untouched account's card is read again."""
    untouched = factory.account(world.station, world.collector)
    factory.session.commit()
    path = f"/api/accounts/{untouched.id}"
    client.get(path, headers=world.me)
    monkeypatch.setattr(route_cache, "MAX_ACCOUNT_BUMPS", 0)
    _pay(factory, client, world)
    with captured(connection) as statements:
        assert client.get(path, headers=world.me).status_code == 200
    assert _reads_accounts(statements), statements


def test_a_cached_page_is_answered_before_its_arguments_are_parsed(
    client: Any, world: World, monkeypatch: Any
) -> None:
    """Its entry exists only for a URL whose arguments parsed; a URL with bad arguments
    is still refused (422)."""
    from api.accounts.schemas import AccountListArgs

    first = client.get(world.page, headers=world.sup)
    parsed: list[Any] = []
    original = AccountListArgs.load

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        parsed.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AccountListArgs, "load", counted)
    again = client.get(world.page, headers=world.sup)
    assert again.status_code == 200 and again.data == first.data
    assert parsed == []
    bad = client.get(world.page + "&after=-5", headers=world.sup)
    assert bad.status_code == 422 and len(parsed) == 1
