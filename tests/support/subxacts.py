"""Subtransactions in the tests' long transactions: the hazard, and a plugin to watch it.

Every test runs in one top-level transaction rolled back at its end (``connection`` in
tests/conftest.py); the session's commits, ``begin_nested`` and each hypothesis example
are savepoints of it. PostgreSQL keeps the XID of each subtransaction that wrote
something in its backend's PGPROC cache until the top-level transaction ends:

- ``RELEASE SAVEPOINT`` keeps it there (the subtransaction is now part of its parent);
- ``ROLLBACK TO SAVEPOINT`` removes the rolled-back subtransaction's XID and those of
  the savepoints released into it (PostgreSQL's ``XidCacheRemoveRunningXids``);
- past 64 XIDs at once the cache *overflows*, and the flag stays set until the top-level
  transaction ends, whatever is rolled back later. While it is set, every other
  session's snapshot is "suboverflowed": checking whether a row's XID is still running
  reads ``pg_subtrans`` (an SLRU), which slows every session of the cluster.

So a hypothesis test that rolls back each example's savepoint (as tests/core/money/
test_due_sql.py and tests/core/kpis/test_reference*.py do) never accumulates XIDs over
its examples; the hazard is one test or one example releasing more than 64 writing
savepoints without rolling back one that encloses them (e.g. a loop of API calls whose
commits are released savepoints). Never release an example's savepoint; roll it back.

Measured on PostgreSQL 15 (2026-12-03, helper kpi): one session opens an "example"
savepoint and, inside it, savepoints that each insert 200 rows and are released; another
session counts the table's rows 20 times, and ``pg_stat_slru``'s ``Subtrans`` counter
(cluster-wide) shows the pg_subtrans look-ups. Over 50 released savepoints: none, before
and after the example is rolled back. Over 100: 1.2 million (one per row read), and as
many again after the example's ``ROLLBACK TO`` (the flag is sticky), in two runs out of
two; those reads took 12-13 ms against 1-5 ms. (That a rolled-back subtransaction's XIDs
leave the cache is PostgreSQL's ``RecordTransactionAbort``, src/backend/access/transam/
xact.c; a backend's count itself is not visible before PostgreSQL 16.)

PostgreSQL 16 shows a backend's count directly (``pg_stat_get_backend_subxact``); on 15,
``python -m pytest -p tests.support.subxacts ...`` prints the most savepoints any connection of
the run held released at once (an upper bound of its cached XIDs: a savepoint that wrote
nothing has none): 15 for tests/core/kpis/test_reference.py and the two ledger state
machines together, 0 for tests/core/money/test_due_sql.py and test_reference_field.py
(their examples release no savepoint).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

#: Per DBAPI connection: per open savepoint level, how many savepoints were released
#: into it (the first level is the top-level transaction).
_levels: dict[int, list[int]] = {}
_peak: dict[int, int] = {}


def _key(conn: Connection) -> int:
    return id(conn.connection.dbapi_connection)


def _on_savepoint(conn: Connection, name: str) -> None:
    _levels.setdefault(_key(conn), [0]).append(0)


def _on_release(conn: Connection, name: str, context: Any) -> None:
    levels = _levels.setdefault(_key(conn), [0])
    released = levels.pop() + 1 if len(levels) > 1 else 1
    levels[-1] += released
    _peak[_key(conn)] = max(_peak.get(_key(conn), 0), sum(levels))


def _on_rollback_savepoint(conn: Connection, name: str, context: Any) -> None:
    levels = _levels.setdefault(_key(conn), [0])
    if len(levels) > 1:
        levels.pop()  # its XIDs and those released into it leave the cache


def _on_end(conn: Connection) -> None:
    _levels.pop(_key(conn), None)


def pytest_configure(config: pytest.Config) -> None:
    event.listen(Engine, "savepoint", _on_savepoint)
    event.listen(Engine, "release_savepoint", _on_release)
    event.listen(Engine, "rollback_savepoint", _on_rollback_savepoint)
    event.listen(Engine, "commit", _on_end)
    event.listen(Engine, "rollback", _on_end)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    worst = max(_peak.values(), default=0)
    verdict = "over 64: the subxid cache may overflow" if worst > 64 else "within 64"
    terminalreporter.write_line(
        f"subtransactions: at most {worst} savepoints released at once on one connection "
        f"({verdict})"
    )
