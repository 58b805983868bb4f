"""Keyset (cursor) pagination: stable under inserts, cheap on deep pages.

The next page's cursor is sent in the ``X-Next-Cursor`` header and in a
``Link: <...>; rel="next"`` header; no header means the last page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request
from marshmallow import Schema, fields, validate
from sqlalchemy import Select
from sqlalchemy.orm import Session

from api.headers import after_this_request_headers

MAX_PAGE_SIZE = 500


class KeysetArgs(Schema):
    after = fields.Integer(
        load_default=None,
        validate=validate.Range(min=0, max=2**31 - 1),  # keys are integer: beyond, 422 not 500
        metadata={"description": "Cursor: the last id of the previous page"},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


def keyset_page(session: Session, stmt: Select[Any], key: Any, args: dict[str, Any]) -> list[Any]:
    """One page of ``stmt`` ordered by the unique ``key`` column, after ``args['after']``."""
    if args.get("after") is not None:
        stmt = stmt.where(key > args["after"])
    rows = list(session.scalars(stmt.order_by(key).limit(args["limit"] + 1)))
    page = rows[: args["limit"]]
    if len(rows) > args["limit"]:
        cursor = str(getattr(page[-1], key.key))
        query = request.args.to_dict()
        query["after"] = cursor
        link = request.base_url + "?" + urlencode(query)
        after_this_request_headers({"X-Next-Cursor": cursor, "Link": f'<{link}>; rel="next"'})
    return page
