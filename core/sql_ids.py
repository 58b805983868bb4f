"""Id lists in SQL as one array parameter: ``column = ANY(:ids)``.

An ``IN (...)`` of thousands of ids sends thousands of parameters, which the driver
parses into the statement on every execution (seconds for a station's accounts); one
array parameter costs the same whatever its length, and PostgreSQL plans it as an index
lookup all the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Integer, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

__all__ = ["among"]


def among(column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    """``column = ANY(:ids)`` with ``ids`` as one integer array parameter."""
    return column == any_(bindparam("ids", list(ids), type_=ARRAY(Integer), unique=True))  # type: ignore[no-any-return]
