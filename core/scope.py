"""Object-level scoping: the one place that decides which rows a user may see.

Every query for user-visible rows goes through :func:`restrict`; a row outside
the scope is indistinguishable from a missing one (the API answers 404 for both).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import Session

from core.errors import Invalid, NotAllowed, NotFound
from core.models import (
    Account,
    AccountBalance,
    Bill,
    Job,
    Payment,
    Plan,
    PlanStatus,
    Role,
    Route,
    Station,
    Territory,
    User,
    VillagePlace,
    Visit,
    territory_collector,
    user_station,
)
from core.models.group_prepaid import GroupPayment, GroupPaymentPart

T = TypeVar("T")
#: Any SELECT, whatever its columns (``restrict`` keeps the statement's type).
S = TypeVar("S", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True)
class Scope:
    """Who is asking: their id, role and the stations they belong to."""

    user_id: int
    role: Role
    station_ids: frozenset[int]

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_collector(self) -> bool:
        return self.role is Role.COLLECTOR


def _in_stations(column: Any, scope: Scope) -> ColumnElement[bool]:
    if not scope.station_ids:
        return false()
    clause: ColumnElement[bool] = column.in_(scope.station_ids)
    return clause


def _accounts(scope: Scope) -> ColumnElement[bool]:
    if scope.is_collector:
        return Account.responsible_id == scope.user_id
    return _in_stations(Account.station_id, scope)


def _account_balances(scope: Scope) -> ColumnElement[bool]:
    """An account's maintained sums carry its station and collector (trigger-kept
    copies), so the account's own rule applies to them without reading ``account``."""
    if scope.is_collector:
        return AccountBalance.responsible_id == scope.user_id
    return _in_stations(AccountBalance.station_id, scope)


def _by_account(account_id_column: Any) -> Callable[[Scope], ColumnElement[bool]]:
    def rule(scope: Scope) -> ColumnElement[bool]:
        clause: ColumnElement[bool] = account_id_column.in_(
            select(Account.id).where(_accounts(scope))
        )
        return clause

    return rule


def _money(model: type[Payment] | type[Visit]) -> Callable[[Scope], ColumnElement[bool]]:
    def rule(scope: Scope) -> ColumnElement[bool]:
        if scope.is_collector:
            own: ColumnElement[bool] = model.collector_id == scope.user_id
            return own
        return _by_account(model.account_id)(scope)

    return rule


def _territories(scope: Scope) -> ColumnElement[bool]:
    if scope.is_collector:
        return Territory.id.in_(
            select(territory_collector.c.territory_id).where(
                territory_collector.c.user_id == scope.user_id
            )
        )
    return _in_stations(Territory.station_id, scope)


def _plans(scope: Scope) -> ColumnElement[bool]:
    if scope.is_collector:
        # A collector sees published plans that hold a route of theirs, nothing else.
        return (Plan.status == PlanStatus.PUBLISHED) & Plan.id.in_(
            select(Route.plan_id).where(Route.collector_id == scope.user_id)
        )
    return _in_stations(Plan.station_id, scope)


def _routes(scope: Scope) -> ColumnElement[bool]:
    if scope.is_collector:
        return (Route.collector_id == scope.user_id) & Route.plan_id.in_(
            select(Plan.id).where(Plan.status == PlanStatus.PUBLISHED)
        )
    return Route.plan_id.in_(select(Plan.id).where(_in_stations(Plan.station_id, scope)))


def _users(scope: Scope) -> ColumnElement[bool]:
    if scope.is_collector:
        return User.id == scope.user_id
    return User.id.in_(
        select(user_station.c.user_id).where(_in_stations(user_station.c.station_id, scope))
    )


def _jobs(scope: Scope) -> ColumnElement[bool]:
    if scope.is_collector:
        return Job.created_by == scope.user_id
    return _in_stations(Job.station_id, scope)


def _group_payments(scope: Scope) -> ColumnElement[bool]:
    """A group payment is seen where it was recorded (its actor is a user in scope) and
    where it paid (a part on an account in scope): a group spanning stations shows each
    station its own payments and credit, never another station's."""
    paid_here = GroupPayment.id.in_(
        select(GroupPaymentPart.group_payment_id).where(
            _by_account(GroupPaymentPart.account_id)(scope)
        )
    )
    return GroupPayment.actor_id.in_(select(User.id).where(_users(scope))) | paid_here


def _stations(scope: Scope) -> ColumnElement[bool]:
    return _in_stations(Station.id, scope)


_RULES: dict[type[Any], Callable[[Scope], ColumnElement[bool]]] = {
    Account: _accounts,
    AccountBalance: _account_balances,
    Bill: _by_account(Bill.account_id),
    Payment: _money(Payment),
    Visit: _money(Visit),
    Territory: _territories,
    Plan: _plans,
    Route: _routes,
    User: _users,
    Job: _jobs,
    Station: _stations,
    GroupPayment: _group_payments,
    VillagePlace: lambda scope: _in_stations(VillagePlace.station_id, scope),
}


def visible(model: type[Any], scope: Scope) -> ColumnElement[bool]:
    """The WHERE clause limiting ``model`` to what ``scope`` may see."""
    if scope.is_admin:
        return true()
    try:
        rule = _RULES[model]
    except KeyError:  # a model without a rule is visible to nobody but admins
        return false()
    return rule(scope)


def restrict(stmt: S, model: type[Any], scope: Scope) -> S:
    """Add the scope's WHERE clause for ``model`` to ``stmt``."""
    return stmt.where(visible(model, scope))


def get_scoped(session: Session, model: type[T], pk: Any, scope: Scope) -> T | None:
    """The row with primary key ``pk`` if it exists *and* is in scope, else None."""
    pk_col = model.__mapper__.primary_key[0]  # type: ignore[attr-defined]
    stmt = restrict(select(model).where(pk_col == pk), model, scope)
    return session.scalars(stmt).one_or_none()


def find_scoped(session: Session, model: type[T], pk: Any, scope: Scope, what: str) -> T:
    """The row with primary key ``pk`` in scope; :class:`NotFound` (``what``) otherwise."""
    row = get_scoped(session, model, pk, scope)
    if row is None:
        raise NotFound(what)
    return row


def at_station(session: Session, scope: Scope, station_id: int | None) -> Scope:
    """``scope`` narrowed to one station it may see (None: unchanged); a station it may
    not see is :class:`Invalid` (``station_id``, "No such station."), like a missing one.

    Staff keep that one station; an admin sees it as its supervisors do. A collector's
    rows are their own wherever they lie, so their scope stays as it is."""
    if station_id is None:
        return scope
    if scope.is_admin:
        known = session.get(Station, station_id) is not None
    else:  # the rule of ``_stations``, without a query: the scope holds the ids
        known = station_id in scope.station_ids
    if not known:
        raise Invalid({"station_id": ["No such station."]}, location="query")
    if scope.is_collector:
        return scope
    return Scope(scope.user_id, Role.SUPERVISOR, frozenset({station_id}))


def require_staff(scope: Scope, detail: str = "Only supervisors and admins may do this.") -> None:
    """Refuse collectors (:class:`NotAllowed`): the action is a supervisor's or an admin's."""
    if scope.is_collector:
        raise NotAllowed(detail)


def require_collector(scope: Scope, detail: str) -> int:
    """Refuse anyone but a collector (:class:`NotAllowed`); the collector's user id."""
    if not scope.is_collector:
        raise NotAllowed(detail)
    return scope.user_id
