"""Two real transactions writing at once: the second must wait for the first's lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session


def second_waits_for_first(
    engine: Engine, first: Callable[[Session], None], second: Callable[[Session], None]
) -> None:
    """Run ``first`` in one session and, while it is not committed, ``second`` in another
    on a thread; assert the second waits until the first commits, then both commit."""
    one, two = Session(engine), Session(engine)
    try:
        first(one)  # holds its rows' locks until it commits
        done = threading.Event()

        def write_second() -> None:
            second(two)
            two.commit()
            done.set()

        writer = threading.Thread(target=write_second)
        writer.start()
        time.sleep(0.5)
        assert not done.is_set(), "the second writer waits for the first"
        one.commit()
        writer.join(10)
        assert done.is_set()
    finally:
        one.close()
        two.close()
