"""The supervisor's page, KPIs: the figures beside the map equal the KPI API's, and each
export link downloads the table with the page's token."""

from __future__ import annotations

from tests.api.web.test_dashboard_page import log_in
from tests.support.live_plans import call, token


def test_kpi_figures_equal_the_apis_and_an_export_downloads(live_server, browser_page):
    """Collection rate, collected, owing and accounts shown as /api/kpis answers them; the
    arrears CSV link downloads a file with the export's header row."""
    base, page = live_server.url, browser_page
    sup = token(base, "supervisor", "supervisor-demo")
    station = call(base, "/api/auth/me", sup)["stations"][0]["id"]
    log_in(page, base)
    page.wait_for_selector("#kpis [data-kpi=owing]", timeout=30_000)
    collection = call(base, f"/api/kpis/collection?station_id={station}", sup)["lines"][0]
    month_end = call(base, f"/api/kpis/month-end?station_id={station}", sup)

    def shown(key: str) -> str | None:
        return page.get_attribute(f"#kpis [data-kpi={key}]", "data-value")

    assert shown("rate") == collection["rate"] and shown("collected") == collection["collected"]
    assert shown("owing") == month_end["owing"] and shown("accounts") == str(month_end["accounts"])
    assert page.inner_text("#kpis [data-kpi=owing]") == f"¥{month_end['owing']}"

    with page.expect_download(timeout=60_000) as info:
        page.click("#kpis a.export[data-table=arrears][data-format=csv]")
    path = info.value.path()
    first = path.read_bytes().decode("utf-8-sig").splitlines()[0]
    expected = _export_header(base, sup, station)
    assert first == expected and info.value.suggested_filename.endswith(".csv")


def _export_header(base: str, tok: str, station: int) -> str:
    import urllib.request

    req = urllib.request.Request(
        f"{base}/api/exports/arrears?format=csv&station_id={station}",
        headers={"Authorization": f"Bearer {tok}"},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.read().decode("utf-8-sig").splitlines()[0]


def test_promises_field_work_and_ageing_beside_the_map_equal_the_apis(live_server, browser_page):
    """The promise counts, each collector's field-work row and the ageing buckets shown
    beside the map are /api/kpis/promises, /field-work and /ageing's figures."""
    base, page = live_server.url, browser_page
    sup = token(base, "supervisor", "supervisor-demo")
    station = call(base, "/api/auth/me", sup)["stations"][0]["id"]
    log_in(page, base)
    page.wait_for_selector("#kpis table.ageing", timeout=30_000)
    promises = call(base, f"/api/kpis/promises?station_id={station}", sup)
    field = call(base, f"/api/kpis/field-work?station_id={station}", sup)["collectors"]
    ageing = call(base, f"/api/kpis/ageing?station_id={station}", sup)

    def value(selector: str) -> str | None:
        return page.get_attribute(selector, "data-value")

    for key in ("made", "due", "kept", "broken", "pending"):
        assert value(f"#kpis [data-kpi='promises.{key}']") == str(promises[key]), key
    rows = page.query_selector_all("#kpis table.field-work tbody tr")
    assert len(rows) == len(field) and field
    for line in field:
        row = f"#kpis table.field-work tr[data-collector='{line['collector_id']}']"
        assert value(f"{row} [data-kpi=visits]") == str(line["visits"])
        assert value(f"{row} [data-kpi=yuan]") == line["yuan"]
        assert value(f"{row} [data-kpi=km]") == line["km"]
    owing = 0
    for bucket, now in ageing["now"]["buckets"].items():
        row = f"#kpis table.ageing tr[data-bucket={bucket}]"
        assert value(f"{row} [data-kpi=yuan]") == now["yuan"], bucket
        assert value(f"{row} [data-kpi=accounts]") == str(now["accounts"]), bucket
        assert value(f"{row} [data-kpi=change]") == ageing["change"]["buckets"][bucket]["yuan"]
        owing += now["accounts"]
    assert owing > 0
