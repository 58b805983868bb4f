"""Dates bounded in every input (issue 16, item 16): one bounded day field and one bounded
instant field serve every schema, so year 1 or 9999 is a field error (never a 500), and a
bad date in a batch rejects that item only."""

from __future__ import annotations

import ast
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest

from core.models import Role

ROOT = Path(__file__).resolve().parents[2]
#: marshmallow's own date fields: unbounded, so only api/schema_fields.py may build on them.
RAW_DATE_FIELDS = {"Date", "DateTime", "AwareDateTime", "NaiveDateTime"}
EXTREMES = ("0001-01-01", "9999-12-31")
INSTANT_EXTREMES = ("0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-12:00")


def _raw_date_fields(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in RAW_DATE_FIELDS
        and isinstance(node.value, ast.Name)
        and node.value.id == "fields"
    ]


def test_every_schema_uses_the_bounded_date_fields() -> None:
    """No api module but schema_fields.py uses marshmallow's unbounded date fields."""
    offenders = {
        str(p.relative_to(ROOT)): lines
        for p in sorted((ROOT / "api").rglob("*.py"))
        if p.name != "schema_fields.py" and (lines := _raw_date_fields(p))
    }
    assert offenders == {}


def _visit(account_id: int, **kw: Any) -> dict[str, Any]:
    body = {
        "id": str(uuid.uuid4()),
        "account_id": account_id,
        "outcome": "nobody_home",
        "device_time": "2026-11-20T10:30:00+08:00",
        "fix": {"lon": 110.3, "lat": 34.14, "accuracy_m": 12.0, "crs": "wgs84"},
    }
    return body | kw


def test_a_visit_batch_rejects_only_the_items_dated_year_1_or_9999(factory, client) -> None:
    """Visits at year 1 / 9999 (device time or promise date) are rejected alone, the rest stored."""
    st = factory.station()
    me = factory.user(Role.COLLECTOR, st)
    acc = factory.account(st, me)
    items = [
        _visit(acc.id),
        _visit(acc.id, device_time=INSTANT_EXTREMES[0]),
        _visit(acc.id, device_time=INSTANT_EXTREMES[1]),
        _visit(acc.id, outcome="promise", promise_date=EXTREMES[1]),
        _visit(acc.id, outcome="promise", promise_date=EXTREMES[0]),
        _visit(acc.id),
    ]
    resp = client.post(
        "/api/visits/batch", json={"items": items}, headers=factory.token(me, client)
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    got = [(i["status"], sorted(i["errors"] or {})) for i in resp.json["items"]]
    assert got == [
        ("created", []),
        ("rejected", ["device_time"]),
        ("rejected", ["device_time"]),
        ("rejected", ["promise_date"]),
        ("rejected", ["promise_date"]),
        ("created", []),
    ]


def test_a_payment_batch_rejects_only_the_items_dated_year_1_or_9999(client, field) -> None:
    """Payments collected at year 1 / 9999 are itemised rejections; the good ones are stored."""
    items = [field.payment("1.00") for _ in range(4)]
    items[1]["collected_at"] = INSTANT_EXTREMES[0]
    items[2]["collected_at"] = INSTANT_EXTREMES[1]
    resp = client.post("/api/payments/batch", json={"items": items}, headers=field.collector_auth)
    assert resp.status_code == 200
    got = [(i["status"], sorted(i["errors"] or {})) for i in resp.json["items"]]
    assert got == [
        ("created", []),
        ("rejected", ["collected_at"]),
        ("rejected", ["collected_at"]),
        ("created", []),
    ]


def test_a_payment_file_rejects_only_the_rows_dated_year_1_or_9999(client, field) -> None:
    """A bank file's rows paid at year 1 / 9999 are rejected, the good row is stored."""
    number = field.account.number
    csv = (
        "channel_txn_id,account_number,amount,paid_at\n"
        f"D-1,{number},10.00,2026-04-09T09:00:00+08:00\n"
        f"D-2,{number},10.00,{INSTANT_EXTREMES[0]}\n"
        f"D-3,{number},10.00,{INSTANT_EXTREMES[1]}\n"
    )
    headers = {**field.supervisor_auth, "Content-Type": "text/csv"}
    resp = client.post("/api/payments/import?channel=bank", data=csv, headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert [i["status"] for i in resp.json["items"]] == ["created", "rejected", "rejected"]


def _date_query_routes(client: Any, admin: dict[str, str]) -> list[tuple[str, str, str]]:
    spec = client.get("/api/openapi.json", headers=admin).json
    routes = []
    for path, ops in spec["paths"].items():
        get = ops.get("get")
        if get is None or "{" in path:
            continue
        for param in get.get("parameters", []):
            fmt = param.get("schema", {}).get("format")
            if param.get("in") == "query" and fmt in ("date", "date-time"):
                routes.append((path, param["name"], fmt))
    return routes


def test_date_query_arguments_at_year_1_or_9999_are_field_errors(factory, client) -> None:
    """Every GET with a date query argument answers year 1 / 9999 with a 422 field error."""
    st = factory.station()
    admin = factory.token(factory.user(Role.ADMIN), client)
    routes = _date_query_routes(client, admin)
    assert len(routes) >= 8, routes
    answers = {}
    for path, name, fmt in routes:
        values = EXTREMES if fmt == "date" else INSTANT_EXTREMES
        for value in values:
            resp = client.get(path, query_string={name: value, "station_id": st.id}, headers=admin)
            answers[(path, name, value)] = resp.status_code
    assert {k: v for k, v in answers.items() if v >= 500} == {}
    assert {k: v for k, v in answers.items() if v not in (403, 404, 422)} == {}


@pytest.mark.parametrize("value", [dt.date(1, 1, 1), dt.date(9999, 12, 31), "0001-01-01"])
def test_a_bill_row_dated_year_1_or_9999_is_a_row_error(value: Any) -> None:
    """A bills row's due date at year 1 / 9999 (text or an Excel date) is that row's error."""
    from core.money.bill_rows import _date

    with pytest.raises(ValueError, match="2000-01-01"):
        _date(value)
