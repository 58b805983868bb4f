"""The collector's app on a real day: what it keeps on the phone, and the screenshots.

Plans today for a station of the demo county (the job run in-process as at 07:00), sets
the route whose stop count is nearest ``--stops`` to exactly that many stops as a
supervisor would by hand (``PUT /api/plans/{id}/routes``: its own stops cut, or the
left-out accounts it may take added by value), publishes that version over HTTP, opens
``/app/`` in Debian's chromium at 360x640 (zh-CN, a GNSS fix), logs in as its collector,
and prints the sizes of what the app caches: the service worker's Cache Storage (the app
itself and maplibre-gl), the day in IndexedDB (pack, accounts from delta sync, receipt
numbers) and the browser's own estimate. Then, offline, records a cash payment and a
"nobody home" and saves the screenshots to ``--shots`` (route list, account card with a
note the bench writes on the first stop, QR payment form, payment with receipt and the
receipt as a picture, outbox waiting, map). The records stay unsent (the browser closes offline).

Usage (a server running on the demo database, e.g. ``make run``)::

    .venv/bin/python -m bench.collector_app --url http://127.0.0.1:5000 --stops 35
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]

SIZES_JS = """async () => {
  const cache = {files: 0, bytes: 0};
  for (const name of await caches.keys()) {
    const c = await caches.open(name);
    for (const req of await c.keys()) {
      const resp = await c.match(req);
      cache.files += 1;
      cache.bytes += (await resp.blob()).size;
    }
  }
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open('arrears-collector');
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  });
  const read = (store, key) => new Promise((ok) => {
    const r = db.transaction(store).objectStore(store).get(key);
    r.onsuccess = () => ok(r.result);
  });
  const size = (v) => new Blob([JSON.stringify(v ?? null)]).size;
  const pack = await read('kv', 'pack');
  const idb = {
    pack: size(pack),
    accounts: size(await read('kv', 'accounts')),
    receipts: size(await read('kv', 'receipts')),
  };
  const estimate = await navigator.storage.estimate();
  return {cache, idb, stops: pack ? pack.stops.length : 0, usage: estimate.usage};
}"""


def http(url: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    req = urllib.request.Request(
        f"{url}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def token(url: str, username: str, password: str) -> str:
    status, body = http(
        url, "POST", "/api/auth/login", {"username": username, "password": password}
    )
    assert status == 200, body
    return str(body["access_token"])


def publish_today(args: argparse.Namespace, sup: str) -> None:
    """Plan today for the supervisor's station as at 07:00 and publish it."""
    from sqlalchemy.orm import sessionmaker

    from api.config import Config
    from core.db import make_engine
    from core.planning.runner import JobSettings, run_plan_job

    tz = ZoneInfo("Asia/Shanghai")
    today = dt.datetime.now(tz).date()
    _, me = http(args.url, "GET", "/api/auth/me", token=sup)
    station_id = me["stations"][0]["id"]
    body = {"date": today.isoformat(), "time_limit": args.time_limit}
    status, job = http(args.url, "POST", f"/api/stations/{station_id}/plans", body, sup)
    assert status == 202, job
    engine = make_engine(args.db_url, statement_timeout_ms=600_000, role=Config.DATABASE_ROLE)
    settings = JobSettings(lease_s=600, heartbeat_s=30, max_time_limit=args.time_limit)
    morning = dt.datetime.combine(today, dt.time(7), tz)
    print(
        "plan job:",
        run_plan_job(sessionmaker(bind=engine), uuid.UUID(job["id"]), settings, now=morning),
    )
    engine.dispose()
    # With `make run` its worker may have claimed the job first ('not_claimed'): wait for it.
    deadline = time.monotonic() + 600
    while True:
        _, job = http(args.url, "GET", f"/api/jobs/{job['id']}", token=sup)
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert job["status"] == "done", job
    plan_id = exact_stops(args, sup, job["result"]["plan_id"])
    status, body = http(args.url, "POST", f"/api/plans/{plan_id}/publish", {}, sup)
    if status == 409:
        override = {"override_reason": "bench: the collector's app"}
        status, body = http(args.url, "POST", f"/api/plans/{plan_id}/publish", override, sup)
    assert status == 200, body


def _stops(account_ids: list[int]) -> list[dict[str, int]]:
    return [{"account_id": a} for a in account_ids]


def exact_stops(args: argparse.Namespace, sup: str, plan_id: int) -> int:
    """The plan with the route nearest ``--stops`` set to exactly that many stops (a new
    draft version, as a supervisor's edit); its id."""
    status, plan = http(args.url, "GET", f"/api/plans/{plan_id}", token=sup)
    assert status == 200, plan
    route = min(plan["routes"], key=lambda r: (abs(len(r["stops"]) - args.stops), r["id"]))
    stops = [s["account_id"] for s in route["stops"]]
    if len(stops) == args.stops:
        return plan_id
    if len(stops) < args.stops:
        edit = [{"collector_id": route["collector_id"], "stops": []}]
        status, check = http(args.url, "POST", f"/api/plans/{plan_id}/check", edit, sup)
        assert status == 200, check
        mine = [o for o in check["left_out"] if route["collector_id"] in o["collector_ids"]]
        for extra in sorted(mine, key=lambda o: -o["prize_fen"]):
            if len(stops) == args.stops:
                break
            if extra["account_id"] in stops:
                continue
            # Only the day's candidates fit (an excluded account, e.g. promised, does not).
            tried = stops + [extra["account_id"]]
            edit = [{"collector_id": route["collector_id"], "stops": _stops(tried)}]
            status, _ = http(args.url, "POST", f"/api/plans/{plan_id}/check", edit, sup)
            if status == 200:
                stops = tried
    body = [
        {
            "collector_id": route["collector_id"],
            "stops": [{"account_id": a} for a in stops][: args.stops],
        }
    ]
    status, saved = http(args.url, "PUT", f"/api/plans/{plan_id}/routes", body, sup)
    assert status == 201, saved
    print(
        f"route of collector {route['collector_id']}: {len(route['stops'])} stops planned, "
        f"set to {args.stops} by hand (plan version {saved['version']})"
    )
    return int(saved["plan_id"])


def pick_collector(args: argparse.Namespace) -> tuple[str, int]:
    best: tuple[int, str, int] | None = None
    for n in range(1, 9):
        name = f"collector{n:02d}"
        status, route = http(
            args.url, "GET", "/api/me/route", token=token(args.url, name, args.password)
        )
        if status == 200:
            stops = len(route["stops"])
            key = (abs(stops - args.stops), name, stops)
            best = key if best is None or key < best else best
    assert best is not None, "no published route today"
    return best[1], best[2]


def shot(page: Any, path: Path, **kw: Any) -> None:
    """A screenshot without the passing toast."""
    page.evaluate("document.getElementById('toast').hidden = true")
    page.screenshot(path=path, **kw)


def note_first_stop(args: argparse.Namespace, sup: str, username: str) -> None:
    """A note on the first stop's account (the demo has none), as the station writes one,
    so the card shows where notes go."""
    status, route = http(
        args.url, "GET", "/api/me/route", token=token(args.url, username, args.password)
    )
    assert status == 200, route
    path = f"/api/accounts/{route['stops'][0]['account']['id']}"
    req = urllib.request.Request(f"{args.url}{path}", headers={"Authorization": f"Bearer {sup}"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        account, etag = json.loads(resp.read()), resp.headers["ETag"]
    if account.get("notes"):
        return
    req = urllib.request.Request(
        f"{args.url}{path}",
        method="PATCH",
        data=json.dumps({"notes": "白天在镇上打工，晚上七点后在家；先打电话"}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {sup}"}
        | {"If-Match": etag},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        assert resp.status == 200


def browse(args: argparse.Namespace, username: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    shots = Path(args.shots)
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": 360, "height": 640},
            device_scale_factor=1,
            geolocation={"latitude": 34.139, "longitude": 110.296, "accuracy": 15},
            permissions=["geolocation"],
        )
        page = context.new_page()
        page.on("dialog", lambda d: d.accept())
        page.goto(f"{args.url}/app/")
        page.fill("#username", username)
        page.fill("#password", args.password)
        page.click("#login")
        page.wait_for_selector("#stops li", timeout=120_000)
        page.evaluate("navigator.serviceWorker.ready")
        page.wait_for_timeout(1500)
        sizes = page.evaluate(SIZES_JS)
        shot(page, shots / "route_list.png")
        stops = page.evaluate("window.collectorApp.state.pack.stops.map(s => s.account.id)")
        context.set_offline(True)
        page.reload()
        page.wait_for_selector("#stops li")
        page.evaluate(f"location.hash = '#/stop/{stops[0]}'")
        page.wait_for_selector("#card")
        shot(page, shots / "account_card.png")
        page.evaluate(f"location.hash = '#/pay/{stops[3]}'")
        page.click("[data-method=qr]")
        page.fill("#qr-txn", "4200001234202612030042")
        shot(page, shots / "qr_payment.png")
        page.evaluate(f"location.hash = '#/pay/{stops[1]}'")
        page.click("#pay-confirm")
        page.wait_for_selector("#receipt-no")
        shot(page, shots / "payment_receipt.png")
        with page.expect_download() as saved:  # the receipt as a picture (no Web Share here)
            page.click("#share-image")
        saved.value.save_as(shots / "receipt_image.png")
        page.click("#receipt-done")
        page.evaluate(f"location.hash = '#/stop/{stops[2]}'")
        page.click("#nobody-home")
        page.wait_for_selector("#stops")
        page.evaluate("location.hash = '#/outbox'")
        page.wait_for_selector("#outbox li")
        shot(page, shots / "outbox_waiting.png")
        page.evaluate("location.hash = '#/map'")
        try:
            page.wait_for_selector("#map[data-ready=true]", timeout=20_000)
            page.wait_for_timeout(1000)
        finally:
            shot(page, shots / "map.png")
        browser.close()
    return dict(sizes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="http://127.0.0.1:5000")
    ap.add_argument("--db-url", default=os.environ.get("DATABASE_URL", ""))
    ap.add_argument("--supervisor", default="supervisor")
    ap.add_argument("--supervisor-password", default="supervisor-demo")
    ap.add_argument("--password", default="collector-demo", help="the collectors' password")
    ap.add_argument("--stops", type=int, default=35)
    ap.add_argument("--time-limit", type=float, default=10)
    ap.add_argument("--no-plan", action="store_true", help="use today's published plan")
    ap.add_argument("--shots", default=str(ROOT / "docs" / "collector_app"))
    args = ap.parse_args()
    sup = token(args.url, args.supervisor, args.supervisor_password)
    if not args.no_plan:
        publish_today(args, sup)
    username, stops = pick_collector(args)
    print(f"route: {username}, {stops} stops")
    note_first_stop(args, sup, username)
    sizes = browse(args, username)
    kib = 1024
    print(f"stops in the pack: {sizes['stops']}")
    print(
        f"Cache Storage (app + maplibre-gl): {sizes['cache']['files']} files, "
        f"{sizes['cache']['bytes'] / kib:.0f} KiB"
    )
    for name, size in sizes["idb"].items():
        print(f"IndexedDB {name}: {size / kib:.1f} KiB (JSON)")
    print(f"browser's estimate of the origin's storage: {sizes['usage'] / kib:.0f} KiB")
    print(f"screenshots: {args.shots}")


if __name__ == "__main__":
    main()
