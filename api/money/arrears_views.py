"""Arrears lists: set-based principal by age and escalation stage, scoped, keyset-paged."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from sqlalchemy import select

from api.auth.jwt import current_scope
from api.db import get_session
from api.headers import after_this_request_headers
from api.money.schemas import ArrearsListArgs, ArrearsRowSchema
from api.money.views import blp
from core.models import Account
from core.money.arrears_sql import arrears_by_age
from core.money.balance import may_owe_on
from core.scope import restrict


@blp.route("/arrears")
class ArrearsList(MethodView):
    @jwt_required()
    @blp.arguments(ArrearsListArgs, location="query")
    @blp.response(200, ArrearsRowSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Accounts in scope that owe principal, aged, with their escalation stage."""
        as_of = args["as_of"] or dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
        scope = current_scope()
        session = get_session()
        want = args["limit"] + 1
        rows: list[Any] = []
        after = args["after"]
        # The accounts that may owe come in id order from the maintained balances (index
        # probes, stopping at the chunk), and only each chunk of them is aged (late fees
        # read for those accounts alone), which keeps those that owe; until the page is
        # full or the accounts run out.
        chunk = want if not args["stage"] else max(4 * want, 200)
        while len(rows) < want:
            ids = _owing_ids(session, scope, as_of, after, chunk)
            if not ids:
                break
            rows += _aged(session, scope, as_of, ids, args["stage"])
            if len(ids) < chunk:
                break
            after = ids[-1]
        rows = rows[:want]
        page = [dict(r._mapping) for r in rows[: args["limit"]]]
        if len(rows) > args["limit"]:
            after_this_request_headers({"X-Next-Cursor": str(page[-1]["account_id"])})
        return page


def _owing_ids(session: Any, scope: Any, as_of: dt.date, after: int | None, n: int) -> list[int]:
    """The next ``n`` account ids in scope, after ``after``, that may owe principal on
    ``as_of`` (a superset, cheap: :func:`core.money.balance.may_owe_on`; the page's
    ageing keeps those that do)."""
    stmt = restrict(select(Account.id).where(may_owe_on(as_of)), Account, scope)
    if after is not None:
        stmt = stmt.where(Account.id > after)
    return list(session.execute(stmt.order_by(Account.id).limit(n)).scalars())


def _aged(
    session: Any, scope: Any, as_of: dt.date, ids: list[int], stage: str | None
) -> list[Any]:
    """Those accounts' rows of :func:`arrears_by_age`, in id order (``stage``: only its)."""
    sub = arrears_by_age(as_of, scope, account_ids=ids)
    stmt = select(
        Account.id.label("account_id"),
        Account.number,
        Account.name,
        Account.village,
        Account.responsible_id,
        *[c for c in sub.c if c.name != "account_id"],
    ).join(sub, sub.c.account_id == Account.id)
    stmt = restrict(stmt, Account, scope)
    if stage:
        stmt = stmt.where(sub.c.stage == stage)
    return list(session.execute(stmt.order_by(Account.id)).all())
