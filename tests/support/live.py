"""A live service for browser tests: a committed database of its own seeded with a small
demo county, the app served over HTTP by a subprocess, and Debian's chromium driven by
Playwright (its own browser download is not reachable here).

Session-scoped and built only when a test asks for them. Tests that change the live
database must leave it usable for the others (add, never delete).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url

from tests.conftest import TEST_DATABASE_URL, _drop_database, alembic_config, ensure_app_login

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
#: As the machine's probe starts it: no sandbox as root, no calls to Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LIVE_ACCOUNTS = 400
LIVE_SEED = 7
#: The demo's history ends on a fixed day, whatever today is: seeded as of the real day, the
#: small county's draws change with the date, and on 2026-12-04 the browser tests' station
#: had 7 accounts in arrears (routes of 3 stops; the tests need more than 6). Its arrears
#: stay owed on every later day, so today's plan always has a full day to work with.
LIVE_HISTORY_ENDS = dt.date(2026, 12, 3)


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str
    today: dt.date
    #: The server's own output (werkzeug's request lines, tracebacks): read it on a failure.
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_database(engine: Any) -> Iterator[tuple[str, dt.date]]:
    """A committed database at head with the demo county (400 accounts), dropped afterwards."""
    from alembic import command
    from sqlalchemy.orm import sessionmaker

    from api.config import TestConfig
    from core.db import analyze_database, ensure_database, make_engine
    from core.users.passwords import HashingParams, Passwords
    from demo.generator import seed_demo

    base = make_url(TEST_DATABASE_URL)
    url = base.set(database=f"{base.database}_live").render_as_string(hide_password=False)
    _drop_database(url)
    ensure_database(url)
    command.upgrade(alembic_config(url), "head")
    ensure_app_login(url)  # the served app logs in as the application role
    today = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
    eng = make_engine(url, statement_timeout_ms=60_000, role=TestConfig.DATABASE_ROLE)
    passwords = Passwords(
        HashingParams(
            time_cost=TestConfig.ARGON2_TIME_COST,
            memory_cost=TestConfig.ARGON2_MEMORY_COST,
            parallelism=TestConfig.ARGON2_PARALLELISM,
            max_concurrent=TestConfig.LOGIN_CONCURRENCY,
        )
    )
    with sessionmaker(bind=eng)() as session:
        seed_demo(
            session, passwords, accounts=LIVE_ACCOUNTS, seed=LIVE_SEED, today=LIVE_HISTORY_ENDS
        )
        session.commit()
    eng.dispose()
    analyze_database(url)
    yield url, today
    _drop_database(url)


@pytest.fixture(scope="session")
def live_server(
    live_database: tuple[str, dt.date], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The app served over HTTP on a free port against the live database."""
    url, today = live_database
    port = _free_port()
    log = tmp_path_factory.mktemp("live-server") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.serve", "--port", str(port)],
            cwd=ROOT,
            env=os.environ | {"DATABASE_URL": url},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("the live server did not start") from None
            time.sleep(0.2)
    try:
        yield LiveServer(base, url, today, log)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Each phase's report on the test item (``item.report_call``), for fixtures that keep
    what a browser showed when its test failed (:class:`BrowserEvidence`)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class BrowserEvidence:
    """What the pages said (console, page errors) and every API request of the browser
    context (pages closed since and service workers included, with who sent it) while a
    test ran, and on its failure the pages' screenshots and HTML with the live server's log
    of the test, in a folder of the run's temporary directory (its path is printed)."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.lines: list[str] = []
        self.log_from = server.log.stat().st_size if server.log.exists() else 0

    def note(self, text: str) -> None:
        self.lines.append(f"{dt.datetime.now():%H:%M:%S.%f} {text}")

    def watch(self, page: Any) -> None:
        """A page's console and errors."""
        page.on("console", lambda m: self.note(f"console.{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.note(f"pageerror: {e}"))

    def watch_context(self, context: Any) -> None:
        """Every API request of ``context``, its answer or failure, and its sender."""

        def sender(request: Any) -> str:
            if request.service_worker is not None:
                return "service worker"
            try:
                return f"page {request.frame.page.url}"
            except Exception:  # the page is gone
                return "closed page"

        def api(request: Any) -> bool:
            return "/api/" in request.url

        context.on(
            "request",
            lambda r: self.note(f"sent {r.method} {r.url} by {sender(r)}") if api(r) else None,
        )
        context.on(
            "response",
            lambda r: self.note(f"{r.status} {r.request.method} {r.url}") if api(r) else None,
        )
        context.on(
            "requestfailed",
            lambda r: self.note(f"failed {r.method} {r.url}: {r.failure}") if api(r) else None,
        )

    def keep(self, pages: list[Any], folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(pages):
            try:
                page.screenshot(path=folder / f"page{n}.png", full_page=True)
                (folder / f"page{n}.html").write_text(page.content(), encoding="utf-8")
            except Exception as err:  # a crashed page: keep what the others show
                self.lines.append(f"page {n}: {err}")
        (folder / "pages.log").write_text("\n".join(self.lines), encoding="utf-8")
        with self.server.log.open("rb") as log:
            log.seek(self.log_from)
            (folder / "server.log").write_bytes(log.read())
        print(f"browser evidence kept in {folder}")


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies, no storage) and its page, Chinese locale."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    try:
        yield context.new_page()
    finally:
        context.close()
