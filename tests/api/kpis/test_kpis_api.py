"""/api/kpis/* over HTTP on the ledger of tests/support/kpi_ledger.py (figures by hand)."""

from __future__ import annotations

from typing import Any

from core.models import Role
from tests.support.kpi_ledger import build_ledger

APRIL = {"month": "2026-04", "as_of": "2026-04-20"}


def _get(client: Any, auth: dict[str, str], kpi: str, **query: Any) -> Any:
    resp = client.get(f"/api/kpis/{kpi}", query_string={**APRIL, **query}, headers=auth)
    return resp


def test_collection_rate_over_http(factory: Any, client: Any) -> None:
    """The station's April: 110 of 420 (0.2619), with new bills 190 of 500 (0.3800)."""
    led = build_ledger(factory)
    auth = factory.token(led.supervisor, client)
    resp = _get(client, auth, "collection", station_id=led.station.id)
    assert resp.status_code == 200, resp.json
    (line,) = resp.json["lines"]
    assert (line["opening"], line["collected"], line["rate"], line["rate_with_new"]) == (
        "420.00", "110.00", "0.2619", "0.3800",
    )  # fmt: skip
    assert line["by_channel"]["field_qr"] == "60.00" and line["by_channel"]["wechat"] == "0.00"
    assert resp.json["period"] == {"date_from": "2026-04-01", "date_to": "2026-04-30"}
    by = _get(client, auth, "collection", station_id=led.station.id, group="collector").json
    assert {x["key"]: x["collected"] for x in by["lines"]} == {
        led.west.id: "110.00", led.east.id: "0.00",
    }  # fmt: skip


def test_month_end_ageing_and_promises_over_http(factory: Any, client: Any) -> None:
    """Month-end 310 (28.19 a day), ageing buckets and change, promises 4/5/2/2/1."""
    led = build_ledger(factory)
    auth = factory.token(led.supervisor, client)
    me = _get(client, auth, "month-end", station_id=led.station.id).json
    assert (me["owing"], me["accounts"], me["days_left"], me["per_day_needed"]) == (
        "310.00", 3, 11, "28.19",
    )  # fmt: skip
    assert me["last_month"] == {"day": "2026-03-20", "owing": "220.00", "accounts": 2}
    assert len(me["trend"]) == 20 and me["trend"][4] == {
        "day": "2026-04-05", "owing": "330.00", "accounts": 3,
    }  # fmt: skip
    ag = _get(client, auth, "ageing", station_id=led.station.id).json
    assert ag["now"]["buckets"]["d61_90"] == {"yuan": "150.00", "accounts": 1}
    assert ag["change"]["buckets"]["not_due"] == {"yuan": "-200.00", "accounts": -1}
    pr = _get(client, auth, "promises", station_id=led.station.id).json
    assert [pr[k] for k in ("made", "due", "kept", "broken", "pending")] == [4, 5, 2, 2, 1]


def test_field_work_stubborn_ranking_and_results_over_http(factory: Any, client: Any) -> None:
    """West's field figures, C as the stubborn case, west first, results per collector."""
    led = build_ledger(factory)
    auth = factory.token(led.supervisor, client)
    fw = _get(client, auth, "field-work", station_id=led.station.id).json
    west = next(c for c in fw["collectors"] if c["collector_id"] == led.west.id)
    assert (west["visits"], west["yuan"], west["yuan_per_day"], west["stops_visited_share"]) == (
        3, "110.00", "36.67", "0.5000",
    )  # fmt: skip
    (case,) = _get(client, auth, "stubborn", station_id=led.station.id).json
    assert (case["account_id"], case["refusals"], len(case["history"])) == (
        led.accounts["C"].id, 2, 4,
    )  # fmt: skip
    ranked = _get(client, auth, "ranking", station_id=led.station.id).json["ranking"]
    assert [(r["rank"], r["key"], r["collection"]["rate"]) for r in ranked] == [
        (1, led.west.id, "0.4074"), (2, led.east.id, "0.0000"),
    ]  # fmt: skip
    assert ranked[0]["name"] == led.west.display_name
    res = _get(client, auth, "collector-results", station_id=led.station.id).json
    east = next(c for c in res["collectors"] if c["collector_id"] == led.east.id)
    assert east["promises"] == {"made": 1, "due": 2, "kept": 0, "broken": 1, "pending": 1}
    assert east["field"]["refused"] == 2 and east["collection"]["opening"] == "150.00"


def test_collectors_get_their_own_figures_only(factory: Any, client: Any) -> None:
    """East asks for the station: the figures are C's alone; another collector is 404."""
    led = build_ledger(factory)
    auth = factory.token(led.east, client)
    (line,) = _get(client, auth, "collection", station_id=led.station.id).json["lines"]
    assert (line["opening"], line["collected"]) == ("150.00", "0.00")
    assert _get(client, auth, "month-end").json["owing"] == "150.00"
    resp = _get(client, auth, "collection", collector_id=led.west.id)
    assert resp.status_code == 404


def test_another_station_is_404_and_bad_periods_422(factory: Any, client: Any) -> None:
    """A station out of scope answers 404; a reversed or too long period 422."""
    led = build_ledger(factory)
    other = factory.user(Role.SUPERVISOR, factory.station())
    auth = factory.token(other, client)
    assert _get(client, auth, "collection", station_id=led.station.id).status_code == 404
    sup = factory.token(led.supervisor, client)
    for query in (
        {"month": None, "date_from": "2026-04-10", "date_to": "2026-04-01"},
        {"month": None, "date_from": "2025-01-01", "date_to": "2026-04-01"},
        {"month": "2026-13"},
    ):
        resp = client.get(
            "/api/kpis/collection",
            query_string={k: v for k, v in query.items() if v is not None},
            headers=sup,
        )
        assert resp.status_code == 422, query
        assert resp.mimetype == "application/problem+json"


def test_openapi_descriptions_are_the_docs_definitions(client: Any) -> None:
    """Each KPI operation's description is its section of docs/kpis.md."""
    spec = client.get("/api/openapi.json").json
    description = spec["paths"]["/api/kpis/collection"]["get"]["description"]
    assert "opening" in description and "rate_with_new" in description
    assert "Dated allocation" in description
