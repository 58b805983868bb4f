"""The monthly bills file: its columns and the checks of one row. Pure Python, no database.

The utility's marketing system (营销系统) exports the month's bills; a station loads them
as CSV (UTF-8 or GB18030) or .xlsx, read by :func:`core.accounts.import_rows.read_rows`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from core.accounts.import_rows import CATEGORY_ALIASES, MAX_REPORTED_ERRORS, RowError
from core.dates import bounded_day
from core.models import Category

__all__ = ["BILL_COLUMNS", "BILL_COLUMN_DOCS", "BillReport", "BillRow", "check_bill_row"]

BILL_COLUMNS = (
    "account_number",
    "period",
    "amount",
    "due_date",
    "category",
    "reading_from",
    "reading_to",
)
BILL_REQUIRED = ("account_number", "period", "amount", "due_date")
#: Chinese headers as the marketing system exports them.
BILL_ALIASES = {
    "户号": "account_number",
    "number": "account_number",
    "账期": "period",
    "电费年月": "period",
    "金额": "amount",
    "应收金额": "amount",
    "缴费截止日": "due_date",
    "用户类别": "category",
    "上次示数": "reading_from",
    "本次示数": "reading_to",
}
BILL_COLUMN_DOCS = {
    "account_number": "Account number (户号) of an account of the station. An unknown number "
    "is reported, never created.",
    "period": "Billed month: `2026-11` or `2026-11-01` (an Excel date works too).",
    "amount": 'Amount in yuan, more than 0, at most two decimals (`"128.50"`); never rounded.',
    "due_date": "Last day to pay without a late fee (`2026-12-10`); not before the period's "
    "first day.",
    "category": "Optional: the account's category as the utility has it; it must match the "
    "account's (`residential`, ... or 居民, 非居民, 临时用电, 集团).",
    "reading_from": "Optional meter reading at the start of the period (kWh).",
    "reading_to": "Optional meter reading at the end; not below `reading_from`.",
}
MAX_AMOUNT = Decimal("99999999.99")
_PERIOD = re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?$")
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


@dataclass(frozen=True)
class BillRow:
    """A checked row."""

    row: int
    number: str
    period: dt.date
    amount: Decimal
    due_date: dt.date
    category: str | None
    reading_from: Decimal | None
    reading_to: Decimal | None


@dataclass(frozen=True)
class Rebilled:
    """An existing bill whose amount the file changes: an adjustment ``from`` -> ``to``."""

    row: int
    number: str
    period: dt.date
    bill_id: int
    from_amount: Decimal
    to_amount: Decimal


@dataclass
class BillReport:
    """What the import does (a dry run: would do): the same figures either way."""

    rows: int = 0
    created: int = 0
    rebilled: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    adjustments: list[Rebilled] = field(default_factory=list)
    dry_run: bool = True
    total_created: Decimal = Decimal("0.00")
    #: Every re-billed bill (``adjustments`` reports the first ones).
    pending: list[Rebilled] = field(default_factory=list, repr=False)

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    def rebill(self, change: Rebilled) -> None:
        self.rebilled += 1
        self.pending.append(change)
        if len(self.adjustments) < MAX_REPORTED_ERRORS:
            self.adjustments.append(change)


_CATEGORIES = frozenset(c.value for c in Category)


def _text(value: Any) -> str | None:
    if type(value) is str:  # the CSV's case, 100,000 times a file: the short way
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _period(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if value.day != 1:
            raise ValueError("A period is a month: its first day, e.g. 2026-11 or 2026-11-01.")
        return bounded_day(value)
    text = _text(value) or ""
    m = _PERIOD.match(text)
    if not m or (m.group(3) is not None and int(m.group(3)) != 1):
        raise ValueError("A period is a month: 2026-11 or 2026-11-01.")
    try:
        period = dt.date(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise ValueError("No such month.") from None
    return bounded_day(period)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return bounded_day(value.date())
    if isinstance(value, dt.date):
        return bounded_day(value)
    m = _DATE.match(_text(value) or "")
    if not m:
        raise ValueError("A date like 2026-12-10.")
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError("No such day.") from None
    return bounded_day(day)


def _decimal(value: Any, label: str, places: int = 2) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{label} must be a number.")
    text = _text(value)
    if text is None:
        raise ValueError("Missing value.")
    try:
        number = Decimal(repr(value) if isinstance(value, float) else text)
    except InvalidOperation:
        raise ValueError(f"{label} must be a number like 128.50.") from None
    if not number.is_finite():
        raise ValueError(f"{label} must be a number like 128.50.")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise ValueError(f"{label} has more than {places} decimals (never rounded).")
    return number


def check_bill_row(row: int, raw: dict[str, Any], report: BillReport) -> BillRow | None:
    """The row checked (None if it has problems, each added to ``report``)."""
    errors_before = report.error_count

    def bad(column: str, message: str) -> None:
        report.add(RowError(row, column, message))

    number = _text(raw.get("account_number"))
    if number is None:
        bad("account_number", "Missing value.")
    elif len(number) > 32:
        bad("account_number", "Longer than 32 characters.")
    values: dict[str, Any] = {}
    for column, parse in (("period", _period), ("due_date", _date)):
        if _text(raw.get(column)) is None and not isinstance(raw.get(column), dt.date):
            bad(column, "Missing value.")
            continue
        try:
            values[column] = parse(raw.get(column))
        except ValueError as exc:
            bad(column, str(exc))
    try:
        amount = _decimal(raw.get("amount"), "The amount")
        if not Decimal("0") < amount <= MAX_AMOUNT:
            bad("amount", f"More than 0 and at most {MAX_AMOUNT}.")
        values["amount"] = amount
    except ValueError as exc:
        bad("amount", str(exc))
    if "period" in values and "due_date" in values and values["due_date"] < values["period"]:
        bad("due_date", "The due date is before the billed month.")
    category = _text(raw.get("category"))
    if category is not None:
        category = CATEGORY_ALIASES.get(category, category)
        if category not in _CATEGORIES:
            bad("category", f"One of {[c.value for c in Category]} (or 居民/非居民/临时用电/集团).")
    readings: dict[str, Decimal | None] = {}
    for column in ("reading_from", "reading_to"):
        if _text(raw.get(column)) is None:
            readings[column] = None
            continue
        try:
            reading = _decimal(raw.get(column), "A meter reading")
            if reading < 0 or reading >= Decimal("1e10"):
                raise ValueError("A meter reading is between 0 and 9999999999.99.")
            readings[column] = reading
        except ValueError as exc:
            bad(column, str(exc))
    start, end = readings.get("reading_from"), readings.get("reading_to")
    if start is not None and end is not None and end < start:
        bad("reading_to", "The reading at the end is below the one at the start.")
    if report.error_count > errors_before or number is None:
        return None
    return BillRow(
        row,
        number,
        values["period"],
        values["amount"],
        values["due_date"],
        category,
        start,
        end,
    )
