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
        sub = arrears_by_age(as_of, scope)
        stmt = select(
            Account.id.label("account_id"),
            Account.number,
            Account.name,
            Account.village,
            Account.responsible_id,
            *[c for c in sub.c if c.name != "account_id"],
        ).join(sub, sub.c.account_id == Account.id)
        stmt = restrict(stmt, Account, scope)
        if args["stage"]:
            stmt = stmt.where(sub.c.stage == args["stage"])
        if args["after"] is not None:
            stmt = stmt.where(Account.id > args["after"])
        rows = get_session().execute(stmt.order_by(Account.id).limit(args["limit"] + 1)).all()
        page = [dict(r._mapping) for r in rows[: args["limit"]]]
        if len(rows) > args["limit"]:
            after_this_request_headers({"X-Next-Cursor": str(page[-1]["account_id"])})
        return page
