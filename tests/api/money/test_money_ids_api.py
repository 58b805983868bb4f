"""Money ids nobody can squat (issue 16.8): random client ids, keyed derived ids in their
own space, auto-pay that checks what it finds, notices known by (channel, txn id)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from core.errors import Rejected
from core.models import Channel
from core.money import deposits
from core.money import ids as money_ids
from core.money.payments import PaymentInput, channel_payment_id, record_payment
from core.money.prepaid import bill_trigger, draw_payment_id
from core.scope import Scope

V7 = "01890a5d-ac96-774b-bcce-b302099a8057"


@pytest.mark.parametrize(
    "bad",
    [
        str(uuid.uuid1()),
        str(uuid.uuid3(uuid.NAMESPACE_DNS, "x")),
        str(uuid.uuid5(uuid.NAMESPACE_DNS, "x")),
        "00000000-0000-0000-0000-000000000000",
        "draw",
    ],
)
def test_client_ids_that_are_not_random_uuids_are_422(client: Any, field: Any, bad: str) -> None:
    """Payments, reversals, handovers and counts refuse ids that are not version 4 or 7."""
    pay = client.post("/api/payments", json=field.payment(id=bad), headers=field.collector_auth)
    assert pay.status_code == 422 and "id" in pay.json["errors"]["json"]
    handover = {"id": bad, "collector_id": field.collector.id, "amount": "1.00",
                "handed_at": "2026-04-09T16:00:00+08:00"}
    resp = client.post("/api/cash/handovers", json=handover, headers=field.supervisor_auth)
    assert resp.status_code == 422 and "id" in resp.json["errors"]["json"]


def test_version_7_client_ids_are_accepted(client: Any, field: Any) -> None:
    """A time-ordered random UUID (version 7) is a valid client id."""
    resp = client.post("/api/payments", json=field.payment(id=V7), headers=field.collector_auth)
    assert resp.status_code == 201


def test_a_channel_notice_is_never_refused_because_its_id_was_used_first(
    client: Any, field: Any
) -> None:
    """A client cannot take a notice's derived id; the genuine notice is then stored."""
    derived = channel_payment_id(Channel.ALIPAY, "ALI-SQUAT-1")
    assert derived.version == 8
    for auth, channel in ((field.collector_auth, "field_cash"), (field.supervisor_auth, "counter")):
        squat = field.payment("1.00", id=str(derived), channel=channel)
        assert client.post("/api/payments", json=squat, headers=auth).status_code == 422
    notice = {"channel": "alipay", "channel_txn_id": "ALI-SQUAT-1",
              "account_number": field.account.number, "amount": "80.00",
              "paid_at": "2026-04-09T12:00:00+08:00"}
    resp = field.notify(notice)
    assert resp.status_code == 201 and resp.json["id"] == str(derived)


def test_derived_ids_are_keyed_and_notices_are_known_by_channel_and_txn(
    client: Any, field: Any
) -> None:
    """Another server key derives other ids; a notice replayed under it is still a replay."""
    notice = {"channel": "bank", "channel_txn_id": "B-KEY-1",
              "account_number": field.account.number, "amount": "80.00",
              "paid_at": "2026-04-09T12:00:00+08:00"}
    first = field.notify(notice)
    key = money_ids._key[0]
    try:
        money_ids.set_derivation_key(b"another-server-secret-of-32-bytes-or-more")
        assert channel_payment_id(Channel.BANK, "B-KEY-1") != uuid.UUID(first.json["id"])
        again = field.notify(notice)
    finally:
        money_ids.set_derivation_key(key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]


def test_auto_pay_refuses_a_payment_that_holds_its_id_but_is_no_draw(
    session: Any, factory: Any, field: Any
) -> None:
    """A non-draw payment under a bill trigger's id is never taken for that bill's draw."""
    today = dt.date.today()
    bill = factory.bill(field.account, dt.date(2026, 10, 1), "60.00", today)
    admin = Scope(field.supervisor.id, field.supervisor.role, frozenset({field.station.id}))
    squat = PaymentInput(
        id=draw_payment_id(bill_trigger(bill.id)),
        account_id=field.account.id,
        amount=field.old_bill.amount,
        channel=Channel.COUNTER,
        collected_at=dt.datetime(2026, 4, 9, 10, tzinfo=dt.UTC),
    )
    record_payment(session, admin, squat, backdate_window=None)
    with pytest.raises(Rejected):
        deposits.autopay(session, field.account.id, bill_trigger(bill.id),
                         actor_id=field.supervisor.id)
