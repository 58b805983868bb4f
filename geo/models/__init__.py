"""Typed SQLAlchemy 2 models on one declarative ``Base``."""

from geo.models import account_search  # noqa: F401  (trigram search indexes on account)
from geo.models.accounts import Account, AccountResponsibility, Bill, Category
from geo.models.auth import RefreshToken, RevokedAccessToken
from geo.models.base import Base
from geo.models.field import Outcome, Visit
from geo.models.group_prepaid import (  # noqa: F401  (group payments, prepaid deposits)
    GroupPayment,
    GroupPaymentPart,
    PrepaidDeposit,
    PrepaidDraw,
)
from geo.models.jobs import Job, JobStatus
from geo.models.ledger_extra import (  # noqa: F401  (registers the money tables)
    CashEvent,
    CashReconciliation,
    LateFeeRate,
    MoneyAudit,
    MoneyException,
    QuarantinedPayment,
    ReceiptCounter,
)
from geo.models.money import Channel, EntryKind, Payment, PaymentAllocation
from geo.models.org import (
    CollectorProfile,
    County,
    Role,
    Station,
    Territory,
    TravelMode,
    User,
    territory_collector,
    user_station,
)
from geo.models.plans import Plan, PlanStatus, Route, Stop
from geo.models.reminders import Reminder, ReminderKind, ReminderStatus
from geo.models.sync import ChangeLog, SyncHorizon

__all__ = [
    "Account",
    "AccountResponsibility",
    "Base",
    "Bill",
    "Category",
    "ChangeLog",
    "Channel",
    "CollectorProfile",
    "County",
    "EntryKind",
    "Job",
    "JobStatus",
    "Outcome",
    "Payment",
    "PaymentAllocation",
    "Plan",
    "RefreshToken",
    "Reminder",
    "ReminderKind",
    "ReminderStatus",
    "RevokedAccessToken",
    "PlanStatus",
    "Role",
    "Route",
    "Station",
    "Stop",
    "SyncHorizon",
    "Territory",
    "TravelMode",
    "User",
    "Visit",
    "territory_collector",
    "user_station",
]
