"""The shared fixed-window counter: the count and its wait, atomically in Redis, and the
same rules in-process when Redis is down."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from core.fixed_window import FixedWindowCounter, Window

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def live() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL)


@pytest.fixture
def dead() -> redis.Redis:
    # Nothing listens on port 1: every command raises ConnectionError at once.
    return redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)


def _key() -> str:
    return f"test-window:{uuid.uuid4().hex}"


@pytest.mark.parametrize("client", ["live", "dead"])
def test_the_limit_admits_that_many_then_waits_for_the_window(client, request):
    counter = FixedWindowCounter(request.getfixturevalue(client))
    window = Window(_key(), limit=3, seconds=60)
    answers = [counter.hit([window]) for _ in range(5)]
    assert answers[:3] == [0, 0, 0]
    assert all(0 < wait <= 60 for wait in answers[3:])
    counter.clear(window.key)
    assert counter.hit([window]) == 0


@pytest.mark.parametrize("client", ["live", "dead"])
def test_any_exceeded_window_refuses_and_every_window_is_counted(client, request):
    counter = FixedWindowCounter(request.getfixturevalue(client))
    tight, loose = Window(_key(), 1, 30), Window(_key(), 100, 600)
    assert counter.hit([tight, loose]) == 0
    wait = counter.hit([tight, loose])
    assert 0 < wait <= 30
    # The loose window counted both attempts: with limit 2 it is now full too.
    assert counter.hit([Window(loose.key, 2, 600)]) > 0


def test_a_parallel_burst_cannot_pass_the_limit(live):
    counter = FixedWindowCounter(live)
    window = Window(_key(), limit=5, seconds=60)
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: counter.hit([window]), range(40)))
    assert answers.count(0) == 5
