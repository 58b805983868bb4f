"""Accounts, as far as the foundation needs them: scoped read access."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from sqlalchemy import select

from api.accounts.schemas import AccountSchema
from api.auth.jwt import current_scope
from api.db import get_session
from api.errors import not_found
from api.pagination import KeysetArgs, keyset_page
from api.smorest import Blueprint
from geo.models import Account
from geo.scope import get_scoped, restrict

blp = Blueprint("accounts", __name__, url_prefix="/api/accounts", description="Customer accounts")


@blp.route("")
class Accounts(MethodView):
    @jwt_required()
    @blp.arguments(KeysetArgs, location="query")
    @blp.response(200, AccountSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """List the accounts in the caller's scope, by id, one keyset page at a time."""
        stmt = restrict(select(Account), Account, current_scope())
        return keyset_page(get_session(), stmt, Account.id, args)


@blp.route("/<int:account_id>")
class AccountById(MethodView):
    @jwt_required()
    @blp.response(200, AccountSchema)
    def get(self, account_id: int) -> Any:
        """One account, if it is in the caller's scope (404 otherwise)."""
        account = get_scoped(get_session(), Account, account_id, current_scope())
        if account is None:
            raise not_found("account")
        return account
