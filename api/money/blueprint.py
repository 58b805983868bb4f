"""The money blueprint and the helpers its views share."""

from __future__ import annotations

from api.errors import Problem
from api.money.service import Rejected
from api.smorest import Blueprint
from geo.scope import Scope

blp = Blueprint(
    "money",
    __name__,
    url_prefix="/api",
    description="Money: amount due, payments exactly once, reversals, cash custody, audit",
)


def rejected(error: Rejected) -> Problem:
    """The problem for a refused money request; it never echoes a stored record."""
    return Problem(
        409 if error.conflict else 422,
        error.detail,
        slug=f"money/{error.code.replace('_', '-')}",
        extra={"code": error.code},
    )


def require_staff(scope: Scope) -> None:
    if scope.is_collector:
        raise Problem(403, "Only supervisors and admins may do this.")
