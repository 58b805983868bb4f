"""Accounts: scoped list (JSON and GeoJSON), read, create, update, responsibility history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import RAISE

from api.accounts.reads import (
    cached_card,
    cached_list,
    card_document,
    list_before_arguments,
    list_document,
)
from api.accounts.schemas import (
    AccountCreate,
    AccountListArgs,
    AccountPatch,
    AccountSchema,
    FeatureCollectionSchema,
    HistoryArgs,
    ImportForm,
    ImportReportSchema,
    ResponsibilitySchema,
    account_feature,
)
from api.auth.jwt import current_scope
from api.db import get_read_session, get_session
from api.pagination import keyset_page, sorted_page
from api.ratelimit import rate_limit
from api.route_cache import read_with_token
from api.smorest import Blueprint
from core.accounts import customers, importer, responsibility
from core.accounts.import_rows import columns_markdown
from core.models import Account
from core.stations.open import require_open
from geo.coords import CoordSystem, to_wgs84

blp = Blueprint("accounts", __name__, url_prefix="/api", description="Customer accounts")
_ACCOUNT = AccountSchema()
_ACCOUNTS = AccountSchema(many=True)

_FILTER_KEYS = (
    "station_id",
    "territory_id",
    "in_territory",
    "responsible_id",
    "village",
    "category",
    "arrears_min",
    "arrears_max",
    "overdue_days_min",
    "as_of",
    "bbox",
    "q",
    "sort",
)


def _filters(args: dict[str, Any]) -> customers.AccountFilters:
    system = args.get("system", CoordSystem.WGS84)
    near = None
    if "radius_m" in args:
        lon, lat = to_wgs84(args["near_lon"], args["near_lat"], system)
        near = (lon, lat, float(args["radius_m"]))
    bbox = args.get("bbox")
    if bbox is not None:  # corners converted; the offsets are smooth, so the box stays a box
        bbox = (*to_wgs84(bbox[0], bbox[1], system), *to_wgs84(bbox[2], bbox[3], system))
    category = args.get("category")
    return customers.AccountFilters(
        **{k: args[k] for k in _FILTER_KEYS if k in args and k not in ("category", "bbox")},
        category=category.value if category is not None else None,
        near=near,
        bbox=bbox,
    )


#: How a cursor's value reads back, per sort (amounts exact, days whole, metres float).
_CURSOR_VALUE: dict[customers.AccountSort, Callable[[str], Any]] = {
    customers.AccountSort.ID: int,
    customers.AccountSort.ARREARS: Decimal,
    customers.AccountSort.ARREARS_DESC: Decimal,
    customers.AccountSort.DAYS_OVERDUE: int,
    customers.AccountSort.DAYS_OVERDUE_DESC: int,
    customers.AccountSort.DISTANCE: float,
}


def _page(args: dict[str, Any]) -> list[Account]:
    session = get_read_session()
    filters = _filters(args)
    scope = current_scope()
    stmt = customers.accounts_query(scope, filters)
    order = filters.order

    def quick(after: Any, n: int) -> customers.OwingPage | None:
        """The page's rows from account_balance's key or indexes, when the order allows."""
        return customers.owing_page_query(scope, filters, after, n)

    if order is customers.AccountSort.ID:
        rows = [(a, None) for a in keyset_page(session, stmt, Account.id, args, quick)]
    else:
        value = stmt.selected_columns.sort_value
        found = sorted_page(
            session, stmt, Account.id, value, order.descending, _CURSOR_VALUE[order], args, quick
        )
        rows = [(r[0], r.distance_m) for r in found]
    accounts = customers.attach_arrears(session, [a for a, _ in rows], filters.as_of)
    for account, distance in rows:
        account.distance_m = distance
    return accounts


@blp.route("/accounts")
class Accounts(MethodView):
    @read_with_token(list_document)
    @jwt_required()
    @list_before_arguments
    @blp.arguments(AccountListArgs, location="query", unknown=RAISE)
    @blp.response(200, AccountSchema(many=True))
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    def get(self, args: dict[str, Any]) -> Any:
        """List accounts in scope, filtered, one keyset page at a time (by id).

        Served from the cache until an account of the caller's stations changes (or the
        day); the ETag names that version."""
        return cached_list(get_read_session, current_scope(), lambda: _ACCOUNTS.dump(_page(args)))

    @jwt_required()
    @blp.arguments(AccountCreate)
    @blp.response(201, AccountSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Create an account (supervisor/admin); the location declares its coordinate system."""
        session = get_session()
        account = customers.create_account(session, current_scope(), body)
        session.commit()
        return customers.attach_arrears(session, [account])[0]


@blp.route("/accounts.geojson")
class AccountsGeoJSON(MethodView):
    @jwt_required()
    @blp.arguments(AccountListArgs, location="query", unknown=RAISE)
    @blp.response(200, FeatureCollectionSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The same list as a GeoJSON FeatureCollection (RFC 7946, [lon, lat])."""
        # Not rate-limited: a map draws a station from these pages (keyset, <= 500 each).
        return {"type": "FeatureCollection", "features": [account_feature(a) for a in _page(args)]}


@blp.route("/accounts/outside-territories")
class AccountsOutsideTerritories(MethodView):
    @jwt_required()
    @blp.arguments(AccountListArgs, location="query", unknown=RAISE)
    @blp.response(200, AccountSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Accounts that no territory covers (to draw or extend territories)."""
        return _page(args | {"in_territory": False})


@blp.route("/accounts/<int:account_id>")
class AccountById(MethodView):
    @read_with_token(card_document)
    @jwt_required()
    @blp.response(200, AccountSchema)
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    def get(self, account_id: int) -> Any:
        """One account, if it is in the caller's scope (404 otherwise).

        Served from the cache until the account, its bills, payments or visits change
        (or the day); the ETag is the body's, the one PATCH's If-Match expects."""
        scope = current_scope()

        def build() -> Any:
            account = customers.get_account_with_arrears(get_read_session(), scope, account_id)
            return _ACCOUNT.dump(account)

        return cached_card(get_read_session, scope, build, blp.content_etag)

    @jwt_required()
    @blp.etag
    @blp.arguments(AccountPatch)
    @blp.response(200, AccountSchema)
    def patch(self, body: dict[str, Any], account_id: int) -> Any:
        """Update some fields of an account; send the ETag in If-Match."""
        session = get_session()
        scope = current_scope()
        account = customers.get_account(session, scope, account_id)
        blp.check_etag(customers.attach_arrears(session, [account])[0], AccountSchema)
        customers.update_account(session, scope, account, body)
        session.commit()
        return customers.attach_arrears(session, [account])[0]


@blp.route("/accounts/<int:account_id>/responsibility")
class AccountResponsibilityHistory(MethodView):
    @jwt_required()
    @blp.arguments(HistoryArgs, location="query", unknown=RAISE)
    @blp.response(200, ResponsibilitySchema(many=True))
    def get(self, args: dict[str, Any], account_id: int) -> Any:
        """Who was responsible for the account: the whole history, or on day ``on``."""
        session = get_session()
        account = customers.get_account(session, current_scope(), account_id)
        if "on" in args:
            row = responsibility.responsible_on(session, account.id, args["on"])
            return [row] if row else []
        return responsibility.history(session, account.id)


_IMPORT_DESCRIPTION = f"""\
A .csv (UTF-8 or GB18030) or .xlsx file whose first row names the columns (any order,
lower case). The account number is the key: a number already in the station is
updated only with `mode=upsert`.

A dry run (`dry_run=true`, the default) writes nothing and reports exactly what the
real run of the same file does: `created`, `updated` (each account's changed fields in
`changes`), `unchanged`, and every problem of every row in `errors`. The real run is all
or nothing: with any error it answers 422 with the same list and writes nothing.

Columns:

{columns_markdown()}

See docs/accounts_import.md.
"""


@blp.route("/accounts/import")
class AccountsImport(MethodView):
    @jwt_required()
    @blp.arguments(ImportForm, location="files", unknown=RAISE)
    @blp.response(200, ImportReportSchema)
    @blp.doc(description=_IMPORT_DESCRIPTION)
    def post(self, form: dict[str, Any]) -> Any:
        """Import accounts from CSV/.xlsx: a dry run previews, the real run is all or nothing."""
        session = get_session()
        scope = current_scope()
        customers.require_manager(scope)
        rate_limit("import", scope.user_id)
        station = customers.scoped_station(session, scope, form["station_id"])
        require_open(station)
        upload = form["file"]
        report = importer.import_accounts(
            session,
            station,
            upload.filename or "",
            upload.read(),
            form["system"],
            scope.user_id,
            form["dry_run"],
            form["mode"],
        )
        session.commit()
        return asdict(report)


# Routes defined in sibling modules attach to the same blueprint.
from api.accounts import card, proposals, villages  # noqa: E402, F401
