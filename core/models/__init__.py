"""Typed SQLAlchemy 2 models on one declarative ``Base``."""

from core.models import account_search  # noqa: F401  (trigram search indexes on account)
from core.models.absences import Absence, AbsenceKind
from core.models.accounts import (
    Account,
    AccountResponsibility,
    Bill,
    Category,
    LocationQuality,
)
from core.models.auth import PasswordToken, RefreshToken, RevokedAccessToken
from core.models.base import Base
from core.models.bills import AccountBalance, BillAdjustment, BillBalance
from core.models.calls import Call, CallOutcome
from core.models.channels import ChannelClient  # noqa: F401  (channel principals)
from core.models.field import Outcome, Visit
from core.models.group_prepaid import (  # noqa: F401  (group payments, prepaid deposits)
    GroupPayment,
    GroupPaymentPart,
    PrepaidDeposit,
    PrepaidDraw,
)
from core.models.jobs import Job, JobStatus
from core.models.ledger_extra import (  # noqa: F401  (registers the money tables)
    CashEvent,
    CashReconciliation,
    LateFeeRate,
    MoneyAudit,
    MoneyException,
    QuarantinedPayment,
    QuarantineRetarget,
    ReceiptCounter,
)
from core.models.location_decisions import LocationDecision, LocationDecisionKind
from core.models.money import Channel, EntryKind, Payment, PaymentAllocation
from core.models.org import (
    CollectorProfile,
    County,
    Role,
    Station,
    Territory,
    User,
    territory_collector,
    user_station,
)
from core.models.places import VillagePlace
from core.models.plans import Plan, PlanPublication, PlanStatus, Route, Stop
from core.models.receipts import ReceiptBlock, ReceiptSeries
from core.models.reminders import Reminder, ReminderKind, ReminderStatus
from core.models.review import ExceptionResolution  # noqa: F401  (review queue)
from core.models.seasons import CalendarPeriod, MarketDay, PeriodKind
from core.models.sync import ChangeLog, MapChange, SyncHorizon
from geo.modes import TravelMode

__all__ = [
    "Absence",
    "AbsenceKind",
    "Account",
    "AccountBalance",
    "AccountResponsibility",
    "Base",
    "Bill",
    "BillAdjustment",
    "BillBalance",
    "CalendarPeriod",
    "Call",
    "CallOutcome",
    "Category",
    "LocationDecision",
    "LocationDecisionKind",
    "LocationQuality",
    "VillagePlace",
    "ChangeLog",
    "Channel",
    "CollectorProfile",
    "County",
    "EntryKind",
    "Job",
    "JobStatus",
    "MapChange",
    "MarketDay",
    "Outcome",
    "Payment",
    "PasswordToken",
    "PaymentAllocation",
    "PeriodKind",
    "Plan",
    "RefreshToken",
    "Reminder",
    "ReminderKind",
    "ReceiptBlock",
    "ReceiptSeries",
    "ReminderStatus",
    "RevokedAccessToken",
    "PlanPublication",
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
