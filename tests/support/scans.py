"""What a request reads: the ledger rows its SQL statements scan, by table.

The statements a request runs are captured on the test's connection, then replayed
under ``EXPLAIN (ANALYZE, FORMAT JSON)`` in the same transaction, with sequential scans
priced out and no JIT (as on a county-sized table, where the planner reaches rows through
the indexes when a condition allows it). The rows each scan node read (returned or
filtered out, times its loops) are summed per table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection

#: The tables whose size grows with the county and the year.
LEDGER_TABLES = ("bill", "payment_allocation", "payment")


@contextmanager
def captured(connection: Connection) -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements (with their parameters) run on ``connection`` in the block."""
    seen: list[tuple[str, Any]] = []

    def before(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", before)


def _walk(node: dict[str, Any], into: Counter[str]) -> None:
    relation = node.get("Relation Name")
    if relation in LEDGER_TABLES:
        read = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
        read += node.get("Rows Removed by Index Recheck", 0)
        into[relation] += read * node.get("Actual Loops", 1)
    for child in node.get("Plans", []):
        _walk(child, into)


def rows_read(connection: Connection, statements: list[tuple[str, Any]]) -> Counter[str]:
    """Per ledger table, the rows the ``statements`` read (see the module's docstring)."""
    total: Counter[str] = Counter()
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    connection.execute(text("SET LOCAL jit = off"))
    try:
        for statement, parameters in statements:
            plan = connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters
            ).scalar_one()
            _walk(plan[0]["Plan"], total)
    finally:
        connection.execute(text("SET LOCAL enable_seqscan TO DEFAULT"))
        connection.execute(text("SET LOCAL jit TO DEFAULT"))
    return total


def reads(connection: Connection, request: Callable[[], Any]) -> tuple[Any, Counter[str]]:
    """``request()``'s answer and the ledger rows its statements read."""
    with captured(connection) as statements:
        answer = request()
    return answer, rows_read(connection, statements)
