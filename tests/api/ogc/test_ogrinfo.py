"""GDAL's OAPIF driver (ogrinfo) reads the OGC API with a supervisor's bearer token."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("ogrinfo") is None, reason="gdal-bin is installed by scripts/setup.sh"
)


def _token(base: str, username: str, password: str) -> str:
    body = json.dumps({"username": username, "password": password}).encode()
    req = urllib.request.Request(
        f"{base}/api/auth/login", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return str(json.load(resp)["access_token"])


def _ogrinfo(base: str, token: str, *args: str) -> str:
    env = os.environ | {
        "GDAL_HTTP_HEADERS": f"Authorization: Bearer {token}",
        "CPL_DEBUG": "OFF",
        "GDAL_HTTP_TIMEOUT": "60",
    }
    done = subprocess.run(
        ["ogrinfo", "-ro", f"OAPIF:{base}/api/ogc", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _numbers(text: str) -> set[str]:
    return {
        line.split("=", 1)[1].strip()
        for line in text.splitlines()
        if line.strip().startswith("number (String) =")
    }


def test_ogrinfo_lists_and_reads_the_station_and_nothing_of_another(live_server):
    """ogrinfo lists the collections and reads the station's accounts, none of the other's."""
    from sqlalchemy import create_engine, text

    base = live_server.url
    token = _token(base, "supervisor", "supervisor-demo")
    listing = _ogrinfo(base, token)
    for name in ("accounts", "territories", "villages", "visits", "routes"):
        assert name in listing
    got = _numbers(_ogrinfo(base, token, "-al", "-q", "accounts"))
    engine = create_engine(live_server.database_url)
    with engine.connect() as conn:
        stations = dict(
            conn.execute(
                text("SELECT a.number, s.name FROM account a JOIN station s ON s.id = a.station_id")
            ).all()
        )
    engine.dispose()
    mine = {n for n, s in stations.items() if s == "景村供电所"}
    assert got == mine
    assert not got & {n for n, s in stations.items() if s != "景村供电所"}
    other = _numbers(
        _ogrinfo(
            base, _token(base, "supervisor-gucheng", "supervisor-demo"), "-al", "-q", "accounts"
        )
    )
    assert other and not other & mine
