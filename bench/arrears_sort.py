"""The account list by ``-arrears`` on the scale county: the full reading
(``accounts_query``) against the top rows from ``account_balance``'s index
(``top_arrears_query``), as SC-00's supervisor and its first collector, first page and a
cursor page of 50.

    DATABASE_URL=... nice -n 10 .venv/bin/python bench/arrears_sort.py time 5
    DATABASE_URL=... nice -n 10 .venv/bin/python bench/arrears_sort.py plan

``time N``: both statements N times each, interleaved (wall ms, planning included), and
checks they answer the same rows. ``plan``: EXPLAIN (ANALYZE, BUFFERS) of each.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text, tuple_
from sqlalchemy.dialects import postgresql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.accounts.customers import (  # noqa: E402
    AccountFilters,
    AccountSort,
    accounts_query,
    top_arrears_query,
)
from core.models import Account, Role  # noqa: E402
from core.scope import Scope  # noqa: E402

N = 51  # a page of 50 and the row that says there is a next one


def _ordered(stmt: Any, after: tuple[Any, int] | None = None) -> Any:
    value = stmt.selected_columns.sort_value
    if after is not None:
        stmt = stmt.where(tuple_(value, Account.id) < after)
    return stmt.order_by(value.desc(), Account.id.desc()).limit(N)


def _sql(stmt: Any) -> str:
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "time"
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    engine = create_engine(os.environ["DATABASE_URL"])
    with engine.connect() as conn:
        s = conn.execute(text("SELECT id FROM station WHERE code = 'SC-00'")).scalar_one()
        col = conn.execute(
            text("SELECT id FROM app_user WHERE username = 'scale-collector-000'")
        ).scalar_one()
        conn.rollback()
    sort = AccountSort.ARREARS_DESC
    cases = {
        "supervisor": (
            Scope(0, Role.SUPERVISOR, frozenset({s})),
            AccountFilters(station_id=s, sort=sort),
        ),
        "collector": (Scope(col, Role.COLLECTOR, frozenset({s})), AccountFilters(sort=sort)),
    }
    for name, (scope, f) in cases.items():
        with engine.connect() as conn:
            first = [(r[0], r.sort_value) for r in conn.execute(_ordered(accounts_query(scope, f)))]
            conn.rollback()
        for after in (None, (first[-1][1], first[-1][0])):
            page = "cursor page" if after else "first page"
            old = _sql(_ordered(accounts_query(scope, f), after))
            new = _sql(_ordered(top_arrears_query(scope, f, after, N), after))
            with engine.connect() as conn:
                if mode == "plan":
                    for label, sql in (("before", old), ("after", new)):
                        print(f"==== {name}, {page}, {label}")
                        for (line,) in conn.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql)):
                            print(line)
                for _ in range(repeat if mode == "time" else 0):
                    took, rows = {}, {}
                    for label, sql in (("full", old), ("top", new)):
                        t0 = time.perf_counter()
                        rows[label] = [(r[0], r.sort_value) for r in conn.execute(text(sql))]
                        took[label] = (time.perf_counter() - t0) * 1000
                    assert rows["full"] == rows["top"], (name, page)
                    print(
                        f"{name}, {page}: full {took['full']:7.1f} ms  top {took['top']:7.1f} ms"
                        f"  same {len(rows['top'])} rows  load {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
                conn.rollback()


if __name__ == "__main__":
    main()
