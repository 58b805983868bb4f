"""Keyset (cursor) pagination: stable under inserts, cheap on deep pages.

The next page's cursor is sent in the ``X-Next-Cursor`` header and in a
``Link: <...>; rel="next"`` header; no header means the last page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import request
from marshmallow import Schema, fields, validate
from sqlalchemy import Row, Select, tuple_
from sqlalchemy.orm import Session

from api.errors import Problem
from api.headers import after_this_request_headers

MAX_PAGE_SIZE = 500


class KeysetArgs(Schema):
    after = fields.Integer(
        load_default=None,
        validate=validate.Range(min=0, max=2**31 - 1),  # keys are integer: beyond, 422 not 500
        metadata={"description": "Cursor: the last id of the previous page"},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


def _next(param: str, cursor: str, drop: str) -> None:
    query = request.args.to_dict()
    query.pop(drop, None)
    query[param] = cursor
    link = request.base_url + "?" + urlencode(query)
    after_this_request_headers({"X-Next-Cursor": cursor, "Link": f'<{link}>; rel="next"'})


def next_page(cursor: str) -> None:
    """Announce the next page of a list paged by an opaque ``cursor`` query argument."""
    _next("cursor", cursor, "after")


#: ``quick(after, n)``: a cheaper statement for a page's first ``n`` rows after the cursor
#: ``after``, and whether they are the page even when it has fewer (``exact``: else only
#: when it has ``n``); None when it has none for this page.
Quick = Callable[[Any, int], tuple[Select[Any], bool] | None]


def keyset_page(
    session: Session,
    stmt: Select[Any],
    key: Any,
    args: dict[str, Any],
    quick: Quick | None = None,
) -> list[Any]:
    """One page of ``stmt`` ordered by the unique ``key`` column, after ``args['after']``
    (``quick``: as :func:`sorted_page`'s)."""
    after, n = args.get("after"), args["limit"] + 1
    rows = None
    if quick is not None and (fast := quick(after, n)) is not None:
        rows = _keyset_rows(session, fast[0], key, after, n)
        if len(rows) < n and not fast[1]:
            rows = None
    if rows is None:
        rows = _keyset_rows(session, stmt, key, after, n)
    page = rows[: args["limit"]]
    if len(rows) > args["limit"]:
        _next("after", str(getattr(page[-1], key.key)), "cursor")
    return page


def _keyset_rows(
    session: Session, stmt: Select[Any], key: Any, after: int | None, n: int
) -> list[Any]:
    if after is not None:
        stmt = stmt.where(key > after)
    return list(session.scalars(stmt.order_by(key).limit(n)))


def sorted_cursor(args: dict[str, Any], parse: Callable[[str], Any]) -> tuple[Any, int] | None:
    """The ``(value, key)`` of the opaque ``args['cursor']`` (``"value,key"``), if any."""
    raw = args.get("cursor")
    if raw is None:
        return None
    try:
        text, _, last = raw.rpartition(",")
        return parse(text), int(last)
    except (ValueError, ArithmeticError):
        msg = "Malformed: use the X-Next-Cursor of the previous page."
        raise Problem(422, msg, errors={"query": {"cursor": [msg]}}) from None


def sorted_page(
    session: Session,
    stmt: Select[Any],
    key: Any,
    value: Any,
    descending: bool,
    parse: Callable[[str], Any],
    args: dict[str, Any],
    quick: Quick | None = None,
) -> list[Row[Any]]:
    """One page of ``stmt`` ordered by ``(value, key)`` (``key`` unique), after the opaque
    ``args['cursor']`` (``"value,key"``); the next one is in the same headers.

    ``quick(after, n)``, if given, may name a cheaper statement (its order column
    labelled ``sort_value``) whose first ``n`` rows after ``after`` are ``stmt``'s
    whenever it has ``n`` of them (or always, when it says it is exact); it is read
    first, and ``stmt`` only when it falls short."""
    after = sorted_cursor(args, parse)
    n = args["limit"] + 1
    rows = None
    if quick is not None and (fast := quick(after, n)) is not None:
        rows = _sorted_rows(
            session, fast[0], key, fast[0].selected_columns.sort_value, descending, after, n
        )
        if len(rows) < n and not fast[1]:
            rows = None
    if rows is None:
        rows = _sorted_rows(session, stmt, key, value, descending, after, n)
    page = rows[: args["limit"]]
    if len(rows) > args["limit"]:
        last_row = page[-1]
        _next("cursor", f"{last_row.sort_value},{getattr(last_row[0], key.key)}", "after")
    return page


def _sorted_rows(
    session: Session,
    stmt: Select[Any],
    key: Any,
    value: Any,
    descending: bool,
    after: tuple[Any, int] | None,
    n: int,
) -> list[Row[Any]]:
    if after is not None:
        pair = tuple_(value, key)
        stmt = stmt.where(pair < after if descending else pair > after)
    order = (value.desc(), key.desc()) if descending else (value, key)
    return list(session.execute(stmt.order_by(*order).limit(n)))
