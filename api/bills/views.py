"""The month's bills: import from the utility's file; an account's statement of bills."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import RAISE
from sqlalchemy import select

from api.auth.jwt import current_scope
from api.bills.schemas import BillImportForm, BillReportSchema, StatementBillSchema
from api.db import get_session
from api.ratelimit import rate_limit
from api.smorest import Blueprint
from core.accounts import customers
from core.models import Account, Bill, BillAdjustment
from core.money.bill_import import import_bills
from core.money.bill_rows import BILL_COLUMN_DOCS, BILL_REQUIRED
from core.scope import find_scoped

blp = Blueprint("bills", __name__, url_prefix="/api", description="Monthly bills")

_COLUMNS = "\n".join(
    f"- `{name}`{' (required)' if name in BILL_REQUIRED else ''}: {text}"
    for name, text in BILL_COLUMN_DOCS.items()
)
_IMPORT_DESCRIPTION = f"""\
The month's bills as the utility's marketing system exports them: a .csv (UTF-8 or
GB18030) or .xlsx file whose first row names the columns (or their Chinese headers 户号,
账期, 金额, 缴费截止日...). The key is (account number, period): loading the same file again
adds nothing; a changed amount is recorded as an adjustment (reason "re-billed", audited),
never an overwrite; an unknown account is reported, never created.

A dry run (`dry_run=true`, the default) writes nothing and reports exactly what the real
run of the same file does; the real run is all or nothing: with any error it answers 422
with every row's problems and writes nothing. Files over the request limit are refused
(413) before they are read.

Columns:

{_COLUMNS}
"""


@blp.route("/bills/import")
class BillsImport(MethodView):
    @jwt_required()
    @blp.arguments(BillImportForm, location="files", unknown=RAISE)
    @blp.response(200, BillReportSchema)
    @blp.doc(description=_IMPORT_DESCRIPTION)
    def post(self, form: dict[str, Any]) -> Any:
        """Import the month's bills from CSV/.xlsx: a dry run previews, the real run is all
        or nothing."""
        session = get_session()
        scope = current_scope()
        customers.require_manager(scope)
        rate_limit("import", scope.user_id)
        station = customers.scoped_station(session, scope, form["station_id"])
        upload = form["file"]
        report = import_bills(
            session, station, upload.filename or "", upload.read(), scope.user_id, form["dry_run"]
        )
        session.commit()
        return report


@blp.route("/accounts/<int(max=2147483647):account_id>/bills")
class AccountBills(MethodView):
    @jwt_required()
    @blp.response(200, StatementBillSchema(many=True))
    def get(self, account_id: int) -> Any:
        """The account's statement of bills: as billed, each re-billing adjustment, and the
        amount now."""
        session = get_session()
        account = find_scoped(session, Account, account_id, current_scope(), "account")
        bills = list(
            session.scalars(select(Bill).where(Bill.account_id == account.id).order_by(Bill.period))
        )
        adjustments: dict[int, list[BillAdjustment]] = {}
        for a in session.scalars(
            select(BillAdjustment)
            .where(BillAdjustment.bill_id.in_([b.id for b in bills]))
            .order_by(BillAdjustment.recorded_at, BillAdjustment.id)
        ):
            adjustments.setdefault(a.bill_id, []).append(a)
        return [
            {
                "id": b.id,
                "period": b.period,
                "due_date": b.due_date,
                "billed": b.amount,
                "amount": b.amount + sum((a.delta for a in adjustments.get(b.id, [])), 0),
                "reading_from": b.reading_from,
                "reading_to": b.reading_to,
                "adjustments": adjustments.get(b.id, []),
            }
            for b in bills
        ]
