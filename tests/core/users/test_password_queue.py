"""Password hashing cannot starve the service (issue 16, item 6): at most
``max_concurrent`` verifications run and ``max_waiting`` wait; the rest are refused at once
with Busy, and a waiter gives up after its timeout."""

from __future__ import annotations

import threading
import time

import pytest

from core.errors import Busy
from core.users.passwords import HashingParams, Passwords


class _SlowHasher:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def verify(self, _hash: str, _password: str) -> bool:
        time.sleep(self.seconds)
        return True


def _passwords(seconds: float, **kw: float) -> Passwords:
    params = {"max_concurrent": 1, "max_waiting": 2, "wait_timeout_s": 5.0} | kw
    p = Passwords(HashingParams(time_cost=1, memory_cost=1024, parallelism=1, **params))  # type: ignore[arg-type]
    p._hasher = _SlowHasher(seconds)  # type: ignore[assignment]
    return p


def test_a_burst_past_the_queue_is_refused_at_once():
    """12 verifications at once, 1 slot and 2 waiting: 3 run, 9 get Busy without waiting."""
    passwords = _passwords(0.3)
    results: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(12)

    def _one() -> None:
        start.wait()
        t0 = time.monotonic()
        try:
            passwords.verify("h", "p")
            outcome = "ok"
        except Busy:
            outcome = "busy-fast" if time.monotonic() - t0 < 0.2 else "busy-slow"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=_one) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["busy-fast"] * 9 + ["ok"] * 3


def test_a_waiter_gives_up_after_its_timeout():
    """With the slot held longer than the wait timeout, the waiter gets Busy."""
    passwords = _passwords(0.6, wait_timeout_s=0.1)
    holder = threading.Thread(target=passwords.verify, args=("h", "p"))
    holder.start()
    time.sleep(0.1)
    with pytest.raises(Busy):
        passwords.verify("h", "p")
    holder.join()
    assert passwords.verify("h", "p") is True  # free again afterwards
