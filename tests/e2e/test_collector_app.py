"""offline-app: the collector's app at /app/ in Chromium (360x640, zh-CN) against the live
service, with the network cut (``context.set_offline``): it opens offline from its service
worker, records visits and cash with receipts into its IndexedDB outbox, and on sync the
server holds each record exactly once, also when the upload is cut half way."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from core.models import Payment, RefreshToken, Visit
from core.models.ledger_extra import MoneyException, QuarantinedPayment
from tests.support.collector_app import COLLECTORS, SUPERVISOR, http, login
from tests.support.live import BrowserEvidence
from tests.support.png import decode

PHONE = {"width": 360, "height": 640}
HOME = {"latitude": 34.2240, "longitude": 110.0410, "accuracy": 12}


@pytest.fixture
def phone(chromium: Any, live_server: Any, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A phone-sized browser context with a GNSS fix, and a function opening the app. On a
    failure the pages, their console and the server's log are kept (tests/support/live.py)."""
    context = chromium.new_context(
        locale="zh-CN",
        viewport=PHONE,
        geolocation=HOME,
        permissions=["geolocation"],
    )
    evidence = BrowserEvidence(live_server)
    evidence.watch_context(context)

    def open_app() -> Any:
        page = context.new_page()
        page.on("dialog", lambda d: d.accept())
        evidence.watch(page)
        response = page.goto(f"{live_server.url}/app/")
        page.wait_for_selector("body[data-ready=true]")
        return page, response

    try:
        yield context, open_app
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            evidence.keep(context.pages, tmp_path / "evidence")
        context.close()


def _login(page: Any, day: Any) -> None:
    page.fill("#username", day.collector)
    page.fill("#password", day.password)
    page.click("#login")
    page.wait_for_selector("#stops li", timeout=30_000)
    page.evaluate("navigator.serviceWorker.ready")


def _visit(page: Any, account_id: int, outcome: str) -> None:
    page.evaluate(f"location.hash = '#/stop/{account_id}'")
    if outcome == "nobody_home":
        page.click("#nobody-home")  # one tap
    else:
        page.click("#other-outcome")
        page.click(f"[data-outcome={outcome}]")  # two taps
    page.wait_for_selector("#stops")


def _pay(page: Any, account_id: int, amount: str | None = None) -> str:
    """Cash at the door (the amount due unless given); the receipt number shown."""
    page.evaluate(f"location.hash = '#/pay/{account_id}'")
    if amount is not None:
        page.fill("#amount", amount)
    page.click("#pay-confirm")
    number = page.inner_text("#receipt-no")
    page.click("#receipt-done")
    page.wait_for_selector("#stops")
    return str(number)


def _pay_qr(page: Any, account_id: int, amount: str, channel: str, txn_id: str) -> str:
    """A QR payment with the channel's transaction number; stays on the receipt."""
    page.evaluate(f"location.hash = '#/pay/{account_id}'")
    page.click("[data-method=qr]")
    page.click(f"[data-channel={channel}]")
    page.fill("#qr-txn", txn_id)
    page.fill("#amount", amount)
    page.click("#pay-confirm")
    return str(page.inner_text("#receipt-no"))


def _sync_done(page: Any, action: Any, outcome: str = "done") -> None:
    """Run ``action`` (a tap, or the network coming back) and wait for the sync it starts.
    Under a loaded machine (a whole suite, other databases' open transactions holding the
    delta-sync horizon back) the first sync may not finish in time: the collector then taps
    同步 again, as on a phone; nothing may be doubled either way."""
    page.evaluate("document.body.dataset.sync = 'idle'")
    action()
    try:
        page.wait_for_selector(f"body[data-sync={outcome}]", timeout=45_000)
    except PlaywrightTimeout:
        page.evaluate("document.body.dataset.sync = 'idle'")
        page.click("#sync")
        page.wait_for_selector(f"body[data-sync={outcome}]", timeout=90_000)


def _server(url: str, device_id: str) -> dict[str, Any]:
    """What the server holds from this device: visits, payments and their receipts."""
    engine = create_engine(url)
    try:
        with Session(engine) as s:
            visits = s.scalar(select(func.count()).where(Visit.device_id == device_id))
            payments = s.scalars(select(Payment).where(Payment.device_id == device_id)).all()
            fixes = s.scalar(
                select(func.count()).where(
                    Visit.device_id == device_id, Visit.fix_accuracy_m.is_not(None)
                )
            )
            over = s.scalar(
                select(func.count()).where(
                    MoneyException.payment_id.in_([p.id for p in payments]),
                    MoneyException.kind == "overpayment",
                )
            )
            return {
                "visits": visits,
                "payments": len(payments),
                "receipts": sorted(p.receipt_no for p in payments),
                "fixes": fixes,
                "overpayments": over,
            }
    finally:
        engine.dispose()


def _held(url: str, device_id: str) -> list[QuarantinedPayment]:
    """The uploads from this device the server holds back (quarantine, QR pending)."""
    engine = create_engine(url)
    try:
        with Session(engine) as s:
            return list(
                s.scalars(
                    select(QuarantinedPayment).where(QuarantinedPayment.device_id == device_id)
                )
            )
    finally:
        engine.dispose()


def _etag(server: Any, path: str, token: str) -> str:
    req = urllib.request.Request(
        f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return str(resp.headers["ETag"])


def _refresh_tokens(url: str, device_id: str) -> tuple[int, int, int]:
    """This device's refresh tokens: issued, traded (spent) and revoked."""
    engine = create_engine(url)
    try:
        with Session(engine) as s:
            rows = s.scalars(select(RefreshToken).where(RefreshToken.device_id == device_id))
            tokens = list(rows)
            spent = sum(t.used_at is not None for t in tokens)
            revoked = sum(t.revoked_at is not None for t in tokens)
            return len(tokens), spent, revoked
    finally:
        engine.dispose()


def _text(page: Any, selector: str) -> str:
    return str(page.inner_text(selector))


def test_a_day_offline_is_stored_once_after_sync(live_server, published_day, phone):
    """Log in online; cut the network; the page reloads from the service worker; 5 visits
    and 3 cash payments with receipts; close and reopen; a payment made online meanwhile;
    network back: the server holds the 5 visits, the 3 payments (each with its receipt and
    its 'paid'/'partial' visit) once; a second sync changes nothing; the stop paid online
    shows settled; cash in hand matches the server's custody figure."""
    context, open_app = phone
    stops = [s["account"]["id"] for s in published_day.stops]
    assert len(stops) >= 7
    page, _ = open_app()
    _login(page, published_day)
    device = page.evaluate("window.collectorApp.state.deviceId")
    before = _server(live_server.database_url, device)
    # Installable: Chromium finds nothing missing but the test's own incognito context.
    cdp = context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")
    cdp.detach()
    assert {e["errorId"] for e in errors["installabilityErrors"]} <= {"in-incognito"}

    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.wait_for_selector("#stops li")
    assert "没有网络" in page.wait_for_selector("#net.off").inner_text()
    for account, outcome in zip(
        stops[:5], ["nobody_home", "nobody_home", "promise", "refused", "moved"], strict=True
    ):
        _visit(page, account, outcome)
    receipts = [_pay(page, stops[5]), _pay(page, stops[6]), _pay(page, stops[0], "10.00")]
    assert len(set(receipts)) == 3
    assert "待发送 11 条" in _text(page, "#waiting")  # 5 visits, 3 payments, their 3 visits
    page.close()

    # A payment at the station's counter for stop 4 while the phone is offline.
    sup = login(live_server, *SUPERVISOR)
    due = next(s for s in published_day.stops if s["account"]["id"] == stops[3])["amount_due"]
    status, body = http(
        live_server,
        "POST",
        "/api/payments",
        {
            "id": str(uuid.uuid4()),
            "account_id": stops[3],
            "amount": due["total"],
            "channel": "counter",
            "collected_at": dt.datetime.now(dt.UTC).isoformat(),
        },
        sup,
    )
    assert status == 201, body

    page, response = open_app()  # reopened, still offline
    assert response is not None and response.from_service_worker
    page.wait_for_selector("#stops li")
    assert "待发送 11 条" in _text(page, "#waiting")
    assert _server(live_server.database_url, device) == before

    _sync_done(page, lambda: context.set_offline(False))
    after = _server(live_server.database_url, device)
    assert after["visits"] == before["visits"] + 8
    assert after["payments"] == before["payments"] + 3
    assert set(receipts) <= set(after["receipts"])
    assert after["fixes"] == after["visits"]  # each record carries the GNSS fix
    assert "待发送 0 条" in _text(page, "#waiting")

    _sync_done(page, lambda: page.click("#sync"))
    assert _server(live_server.database_url, device) == after
    settled = page.get_attribute(f"#stops li[data-account='{stops[3]}']", "class")
    assert settled is not None and "settled" in settled
    # The partly paid stop shows what the server says it still owes (paid once, not twice).
    token = login(live_server, published_day.collector, published_day.password)
    status, owed = http(live_server, "GET", f"/api/arrears/{stops[0]}", token=token)
    assert status == 200
    shown = _text(page, f"#stops li[data-account='{stops[0]}'] .due")
    assert f"¥{Decimal(owed['total']):.2f}" in shown

    status, cash = http(
        live_server, "GET", f"/api/cash/collectors/{published_day.collector_id}", token=token
    )
    assert status == 200
    assert f"¥{Decimal(cash['in_hand']):.2f}" in _text(page, "#cash")


def test_an_upload_cut_half_way_is_resent_without_doubling(live_server, published_day, phone):
    """The payments batch reaches the server but its answer is lost (network cut): the
    items stay waiting, the retry replays them, and the server holds each once; cash
    above the amount due asks first and is flagged as an overpayment."""
    context, open_app = phone
    stops = [s["account"]["id"] for s in published_day.stops]
    page, _ = open_app()
    _login(page, published_day)
    device = page.evaluate("window.collectorApp.state.deviceId")
    context.set_offline(True)
    page.evaluate(f"location.hash = '#/pay/{stops[1]}'")
    more = f"{Decimal(page.input_value('#amount')) + Decimal('5.00'):.2f}"
    receipt = _pay(page, stops[1], more)  # the confirmation dialog is accepted
    _visit(page, stops[2], "nobody_home")

    cut: list[int] = []

    def lose_the_answer(route: Any) -> None:
        if not cut:
            route.fetch()  # the server stores the batch...
            cut.append(1)
            route.abort("internetdisconnected")  # ...and the phone never hears back
        else:
            route.continue_()

    page.route("**/api/payments/batch", lose_the_answer)
    _sync_done(page, lambda: context.set_offline(False), outcome="failed")
    assert cut and _server(live_server.database_url, device)["payments"] == 1
    assert "待发送 3 条" in _text(page, "#waiting")

    _sync_done(page, lambda: page.click("#sync"))
    held = _server(live_server.database_url, device)
    assert held["payments"] == 1 and held["receipts"] == [receipt]
    assert held["visits"] == 2 and held["overpayments"] == 1
    assert "待发送 0 条" in _text(page, "#waiting")


def test_replan_my_day_shows_the_new_order_and_what_was_dropped(live_server, published_day, phone):
    """Re-plan from the phone's position: the job (run here as at 10:00) publishes a new
    version; the app fetches it and lists the new order and the dropped stops with why."""
    from sqlalchemy.orm import sessionmaker

    from api.config import TestConfig
    from core.db import make_engine
    from core.planning.runner import run_plan_job
    from tests.support.plans import FAST, TZ

    context, open_app = phone
    page, _ = open_app()
    _login(page, published_day)
    first = published_day.stops[0]["account"]["id"]
    _visit(page, first, "nobody_home")
    page.wait_for_function("() => window.collectorApp.state.outbox.every(i => i.state === 'sent')")
    with page.expect_response("**/api/me/route/replan") as answer:
        page.click("#replan")
    job_id = uuid.UUID(answer.value.json()["id"])
    engine = make_engine(
        live_server.database_url, statement_timeout_ms=60_000, role=TestConfig.DATABASE_ROLE
    )
    try:
        at_ten = dt.datetime.combine(live_server.today, dt.time(10), TZ)
        assert run_plan_job(sessionmaker(bind=engine), job_id, FAST, now=at_ten) == "done"
    finally:
        engine.dispose()
    page.wait_for_selector("#replan-result ol", timeout=30_000)
    new_order = page.locator("#replan-result ol li").all_inner_texts()
    assert new_order and new_order[0].startswith("1. ")
    assert page.locator("#replan-result h2").inner_text() == "不再安排"


def test_refusals_read_in_plain_words_and_a_reassigned_account_leaves_the_phone(
    live_server, published_day, phone
):
    """The card shows the account's notes; a payment whose receipt number is outside the
    device's blocks comes back rejected and the outbox says why in words; a QR payment
    carries the channel's transaction and is held on the server until it matches (待核对),
    its receipt saved as a picture; an account reassigned while the phone was offline is
    gone from the route and from the phone's store after sync (delta-sync tombstone)."""
    context, open_app = phone
    stops = [s["account"]["id"] for s in published_day.stops]
    assert len(stops) > 6
    sup = login(live_server, *SUPERVISOR)
    note = f"先打电话，狗凶 {uuid.uuid4().hex[:6]}"
    req = urllib.request.Request(
        f"{live_server.url}/api/accounts/{stops[3]}",
        method="PATCH",
        data=json.dumps({"notes": note}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {sup}",
            "If-Match": _etag(live_server, f"/api/accounts/{stops[3]}", sup),
        },
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        assert resp.status == 200
    page, _ = open_app()
    _login(page, published_day)
    device = page.evaluate("window.collectorApp.state.deviceId")
    context.set_offline(True)
    page.evaluate(f"location.hash = '#/stop/{stops[3]}'")
    assert note in _text(page, "#notes")  # from the pack kept on the phone, offline
    _pay(page, stops[4], "1.00")
    page.evaluate(
        """async () => {
          const {db} = window.collectorApp;
          const [item] = (await db.outboxAll()).filter((i) => i.kind === 'payment');
          item.body.receipt_no = item.body.receipt_no.replace(/\\d{6}$/, '999999');
          await db.outboxPut([item]);
        }"""
    )
    txn = f"4200{uuid.uuid4().int % 10**14:014d}"
    qr_receipt = _pay_qr(page, stops[5], "2.00", "wechat", txn)
    assert txn in _text(page, "#receipt")
    with page.expect_download() as saved:  # no Web Share for files here: saved as a PNG
        page.click("#share-image")
    picture = decode(Path(saved.value.path()).read_bytes())
    assert picture.width == 720 and 400 < picture.height < 800
    assert saved.value.suggested_filename == f"收据-{qr_receipt}.png"
    page.click("#receipt-done")
    page.wait_for_selector("#stops")
    others = [c for c in COLLECTORS if c != published_day.collector]
    status, other = http(
        live_server,
        "GET",
        "/api/auth/me",
        token=login(live_server, others[0], published_day.password),
    )
    gone = stops[-1]
    status, body = http(
        live_server,
        "POST",
        "/api/responsibility/reassign",
        {"collector_id": other["id"], "account_ids": [gone]},
        sup,
    )
    assert status == 200, body

    _sync_done(page, lambda: context.set_offline(False))
    page.evaluate("location.hash = '#/outbox'")
    rejected = page.locator("#outbox li[data-state=rejected]")
    assert rejected.count() == 1
    assert "这个收据号不在本机领取的号段内" in rejected.inner_text()
    pending = page.locator("#outbox li[data-state=pending]")
    assert pending.count() == 1 and "待核对" in pending.inner_text()
    assert qr_receipt in pending.inner_text()
    held = _held(live_server.database_url, device)
    assert [(h.channel, h.body["qr_ref"], h.body["receipt_no"]) for h in held] == [
        ("field_qr", {"channel": "wechat", "txn_id": txn}, qr_receipt)
    ]
    page.evaluate("location.hash = '#/'")
    page.wait_for_selector("#stops li")
    # A transaction open anywhere in the cluster (another test run) holds the snapshot
    # xmin back and delays delivery: sync again, as the collector would, until it comes.
    deadline = time.monotonic() + 150
    while page.locator(f"#stops li[data-account='{gone}']").count() and (
        time.monotonic() < deadline
    ):
        page.wait_for_timeout(2000)
        _sync_done(page, lambda: page.click("#sync"))
    assert page.locator(f"#stops li[data-account='{gone}']").count() == 0
    kept = page.evaluate(
        "async () => (await window.collectorApp.db.get('pack')).stops.map(s => s.account.id)"
    )
    assert gone not in kept


def test_a_lost_login_keeps_the_outbox_until_the_collector_signs_in_again(
    live_server, published_day, phone
):
    """A double tap records one visit; the refresh cookie is gone when the network comes
    back: the app asks for the password, keeps the waiting record, and sends it once after
    the new login."""
    context, open_app = phone
    stops = [s["account"]["id"] for s in published_day.stops]
    page, _ = open_app()
    _login(page, published_day)
    device = page.evaluate("window.collectorApp.state.deviceId")
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#stops li")
    page.evaluate(f"location.hash = '#/stop/{stops[2]}'")
    page.dblclick("#nobody-home")  # a double tap records one visit
    page.wait_for_selector("#stops")
    context.clear_cookies()
    _sync_done(page, lambda: context.set_offline(False), outcome="failed")
    assert "登录已过期" in _text(page, "#login-error")
    assert _server(live_server.database_url, device)["visits"] == 0
    _login(page, published_day)
    page.wait_for_function("() => window.collectorApp.state.outbox.every(i => i.state === 'sent')")
    assert _server(live_server.database_url, device)["visits"] == 1


# The app's own refresh (the module the page loaded), started and not awaited.
TRADE = "() => { window.traded = import('./src/api.js').then((api) => api.refresh()); }"


def test_two_pages_trade_the_refresh_cookie_one_at_a_time(live_server, published_day, phone):
    """Two pages of the app (two tabs) share one refresh cookie: a trade waits for the
    other page's (Web Locks) and then trades the cookie that one left, so no refresh token
    is traded twice, also when both need a new access token at the same instant."""
    context, open_app = phone
    page, _ = open_app()
    _login(page, published_day)
    device = page.evaluate("window.collectorApp.state.deviceId")
    other, _ = open_app()  # no access token in memory: its start-up sync trades the cookie
    other.wait_for_function("() => ['done', 'failed'].includes(document.body.dataset.sync)")
    assert other.evaluate("document.body.dataset.sync") == "done"
    trades: list[Any] = []
    other.on("request", lambda r: trades.append(r) if r.url.endswith("/api/auth/refresh") else None)

    # The first page is trading (it holds the lock): the other one waits, sending nothing.
    page.evaluate(
        """() => new Promise((granted) => {
             window.held = new Promise((release) => (window.release = release));
             navigator.locks.request('collector-app-refresh', () => (granted(), window.held));
           })"""
    )
    other.evaluate(TRADE)
    other.wait_for_timeout(1500)
    assert trades == []
    page.evaluate("window.release()")
    other.evaluate("window.traded")
    assert len(trades) == 1

    # Both at the same instant, again and again: every trade spends a different token.
    for _ in range(3):
        for p in (page, other):
            p.evaluate(TRADE)
        for p in (page, other):
            p.evaluate("window.traded")
    issued, spent, revoked = _refresh_tokens(live_server.database_url, device)
    assert (spent, revoked) == (issued - 1, 0)  # a chain: each token traded once
    assert issued >= 1 + 1 + 1 + 6  # the login, the start-up sync, the held one, 3 x 2


def test_a_refresh_answer_lost_on_the_way_keeps_the_collector_signed_in(
    live_server, published_day, phone
):
    """The trade of the refresh cookie reaches the server but its answer, and the new
    cookie in it, never comes back (the link dropped): the next sync trades the old cookie
    again within the server's reuse interval, gets a new pair and sends the waiting visit;
    the collector is not asked for the password."""
    context, open_app = phone
    stops = [s["account"]["id"] for s in published_day.stops]
    page, _ = open_app()
    _login(page, published_day)
    device = page.evaluate("window.collectorApp.state.deviceId")
    context.set_offline(True)
    page.reload()  # the access token was in memory: gone
    page.wait_for_selector("#stops li")
    _visit(page, stops[2], "nobody_home")
    jar = context.cookies()
    lost: list[int] = []

    def lose_the_answer(route: Any) -> None:
        if lost:
            route.continue_()
            return
        route.fetch()  # the server trades the cookie...
        lost.append(1)
        context.add_cookies(jar)  # ...and the phone keeps the old one: nothing came back
        route.abort("internetdisconnected")

    page.route("**/api/auth/refresh", lose_the_answer)
    _sync_done(page, lambda: context.set_offline(False), outcome="failed")
    assert lost and _server(live_server.database_url, device)["visits"] == 0
    issued, spent, _ = _refresh_tokens(live_server.database_url, device)
    assert (issued, spent) == (2, 1)  # the old cookie was traded, its successor never came

    _sync_done(page, lambda: page.click("#sync"))
    assert page.locator("#login").count() == 0
    assert _server(live_server.database_url, device)["visits"] == 1
    assert "待发送 0 条" in _text(page, "#waiting")
    issued, spent, revoked = _refresh_tokens(live_server.database_url, device)
    assert (issued, spent, revoked) == (3, 1, 0)  # the old one traded again: a new pair
