"""The demo served as `make run` serves it: gunicorn with deploy/gunicorn.conf.py and
ARREARS_DEMO, on a given database, in a subprocess (production settings otherwise:
real argon2 cost, the real login limits unless ``env`` says else)."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.live import _free_port

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def gunicorn_demo(database_url: str, folder: Path, env: dict[str, str]) -> Iterator[str]:
    """Serve; yield the base URL; stop gracefully."""
    port = _free_port()
    log = folder / "gunicorn.log"
    full = {k: v for k, v in os.environ.items() if not k.startswith("ARREARS_")} | {
        "DATABASE_URL": database_url,
        "ARREARS_DEMO": "true",
        "ARREARS_SECRET_FILE": str(folder / "jwt_secret"),
        "ARREARS_BIND": f"127.0.0.1:{port}",
        "ARREARS_LOGIN_THROTTLE_PREFIX": f"gunicorn-test-{os.getpid()}-{port}",
        "WEB_CONCURRENCY": "1",
        "ARREARS_THREADS": "2",
        "ARREARS_ACCESS_LOG": "/dev/null",
    } | env
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=full,
            stdout=subprocess.DEVNULL,
            stderr=out,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise RuntimeError(f"gunicorn did not start: {log.read_text()}") from None
            time.sleep(0.3)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=40)
