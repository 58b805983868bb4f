"""What a door-to-door visit is expected to recover, with transparent numbers.

The prize of a visit is what it adds to the month's recovery::

    amount due x P(pay | home) x P(home) x (1 - P(pays by itself before the month ends))

The collector's day is the scarce resource and the station is judged on its month-end
collection rate: money that would arrive online before the month closes is not the
visit's merit, so the last factor discounts accounts that settle overdue bills on their
own. The horizon is the days left in the plan day's month (the plan day included), not a
fixed month ahead: early in the month a self-payer has weeks to pay by itself, on the
last days it has almost none, and its visit is then worth nearly its full odds.

The probabilities are estimated from the account's own visit and payment history and
shrunk toward the mean of its village and category (which is itself shrunk toward the
station's mean), so an account with two visits is not judged on two visits alone.

Shrinkage is the Beta-binomial posterior mean: with ``k`` successes in ``n`` trials
and a prior mean ``m`` worth ``w`` pseudo-trials, ``p = (k + w m) / (n + w)``. The rate
of paying by itself is a Gamma-Poisson one: ``k`` overdue bills settled without a
collector over ``T`` days overdue, shrunk toward the prior's rate with ``w`` pseudo-bills
of :data:`DAYS_PER_PSEUDO_BILL` days each; with a constant daily rate ``r``, P(pays by
itself within ``H`` days) is ``1 - exp(-r H)``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from math import exp
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.planning.calendar import DayContext

#: Time bands of the working day as station-local ``[start, end)`` hours.
BANDS: tuple[tuple[int, int], ...] = ((8, 10), (10, 12), (12, 14), (14, 18))
#: Pseudo-trials of the village/category prior behind each account.
ACCOUNT_PRIOR_WEIGHT = 4.0
#: Pseudo-trials of the station prior behind each village/category group.
GROUP_PRIOR_WEIGHT = 10.0
#: Station-wide defaults when there is no history at all.
DEFAULT_P_HOME = 0.5
DEFAULT_P_PAY = 0.6
#: Weight of one bill's fate (paid or not, any channel) against one visit's outcome in
#: P(pay): the payment record is the longer and less biased history (failed visits are
#: under-recorded, every door payment leaves a receipt).
BILL_WEIGHT = 1.0
#: A band becomes a (hard) time window only when the evidence is strong: its P(home)
#: beats the day's mean by :data:`WINDOW_GAIN` and by the factor :data:`WINDOW_LIFT`.
#: A window confines the visit to a fraction of the shift and costs travel; when most
#: accounts are best found at the same hours (lunch), windows on a modest lift crowd the
#: routes into those hours and leave the rest of the day empty.
WINDOW_GAIN = 0.15
WINDOW_LIFT = 1.5
#: Exposure of one pseudo-bill in the prior of the self-payment rate, days overdue.
DAYS_PER_PSEUDO_BILL = 30.0
#: Daily rate of settling an overdue bill without a collector, when nothing is known.
DEFAULT_SELF_RATE = 0.01


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month: the station is judged on what it holds then."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_days_left(day: dt.date) -> int:
    """Days from ``day`` to the end of its month, both included: the horizon of the prize
    (the month-end collection rate counts what arrives by the month's last day)."""
    return (month_end(day) - day).days + 1


def band_of(hour: int) -> int | None:
    """Index of the band holding the local ``hour``, or None outside every band."""
    for i, (start, end) in enumerate(BANDS):
        if start <= hour < end:
            return i
    return None


@dataclass
class History:
    """Visit counts of one account (or a pooled group of accounts).

    Attributes
    ----------
    visits_by_band
        Visits made in each band.
    home_by_band
        Visits in each band where somebody was home (any outcome but ``nobody_home``,
        ``moved`` or ``wrong_location``).
    pay_trials
        Visits where somebody was home.
    pay_successes
        Visits that ended in a payment (``paid`` or ``partial``).
    bills_due
        Bills that fell due in the past year.
    bills_paid
        Of those, the bills fully paid by now (any channel).
    self_paid
        Of those, the bills settled after their due date without a collector (online,
        counter, bank...): the account paying overdue money by itself.
    overdue_days
        Days those bills spent overdue (until settled, or until now): the exposure of
        ``self_paid``. A bill settled at the door ends its exposure without an event.
    """

    visits_by_band: list[int] = field(default_factory=lambda: [0] * len(BANDS))
    home_by_band: list[int] = field(default_factory=lambda: [0] * len(BANDS))
    pay_trials: int = 0
    pay_successes: int = 0
    bills_due: int = 0
    bills_paid: int = 0
    self_paid: int = 0
    overdue_days: int = 0
    #: Visits (and those finding somebody home) on festival or harvest return days: kept
    #: apart, so a migrant house full at Spring Festival does not look lived in all year.
    return_visits: int = 0
    return_home: int = 0
    #: Per band, visits and homes on the market days of the account's village.
    market_visits_by_band: list[int] = field(default_factory=lambda: [0] * len(BANDS))
    market_home_by_band: list[int] = field(default_factory=lambda: [0] * len(BANDS))
    #: Per ISO weekday (index 0 = Monday), ordinary-day visits and homes.
    weekday_visits: list[int] = field(default_factory=lambda: [0] * 7)
    weekday_home: list[int] = field(default_factory=lambda: [0] * 7)

    def key(self) -> tuple[object, ...]:
        """Every count, hashable: equal keys are equal histories."""
        return (
            tuple(self.visits_by_band),
            tuple(self.home_by_band),
            self.pay_trials,
            self.pay_successes,
            self.bills_due,
            self.bills_paid,
            self.self_paid,
            self.overdue_days,
            self.return_visits,
            self.return_home,
            tuple(self.market_visits_by_band),
            tuple(self.market_home_by_band),
            tuple(self.weekday_visits),
            tuple(self.weekday_home),
        )

    @property
    def visits(self) -> int:
        """Visits in any band."""
        return sum(self.visits_by_band)

    def add(self, other: History) -> None:
        """Pool ``other`` into this history."""
        for i in range(len(BANDS)):
            self.visits_by_band[i] += other.visits_by_band[i]
            self.home_by_band[i] += other.home_by_band[i]
        self.pay_trials += other.pay_trials
        self.pay_successes += other.pay_successes
        self.bills_due += other.bills_due
        self.bills_paid += other.bills_paid
        self.self_paid += other.self_paid
        self.overdue_days += other.overdue_days
        self.return_visits += other.return_visits
        self.return_home += other.return_home
        for i in range(len(BANDS)):
            self.market_visits_by_band[i] += other.market_visits_by_band[i]
            self.market_home_by_band[i] += other.market_home_by_band[i]
        for i in range(7):
            self.weekday_visits[i] += other.weekday_visits[i]
            self.weekday_home[i] += other.weekday_home[i]


def shrink(successes: float, trials: float, prior: float, weight: float) -> float:
    """Beta-binomial posterior mean of a rate toward ``prior`` with ``weight`` pseudo-trials."""
    return (successes + weight * prior) / (trials + weight)


@dataclass(frozen=True)
class Rates:
    """Estimated rates: P(pay | home), P(home) per band on ordinary days, and the daily
    rate of settling overdue bills without a collector; P(home) per band on festival and
    harvest return days, and the factors of the village's market days and of each
    weekday (None: no difference)."""

    p_pay: float
    p_home: tuple[float, ...]
    self_rate: float = 0.0
    p_home_return: tuple[float, ...] | None = None
    #: Factor on P(home) per band on the village's market days.
    market: tuple[float, ...] | None = None
    #: Factor on P(home) per ISO weekday (index 0 = Monday).
    weekday: tuple[float, ...] | None = None

    def home_on(self, ctx: DayContext | None) -> tuple[float, ...]:
        """P(home) per band on a day the calendar describes as ``ctx`` (None: ordinary)."""
        if ctx is None:
            return self.p_home
        base = self.p_home_return if ctx.returning and self.p_home_return else self.p_home
        out = list(base)
        if self.weekday is not None:
            out = [p * self.weekday[ctx.weekday - 1] for p in out]
        if ctx.market and self.market is not None:
            out = [p * f for p, f in zip(out, self.market, strict=True)]
        return tuple(min(0.99, max(0.01, p)) for p in out)

    def p_self(self, days: int) -> float:
        """P(the account pays by itself within ``days`` days), constant daily rate."""
        return 1.0 - exp(-self.self_rate * max(days, 0))

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form, probabilities rounded to 3 decimals."""
        return {
            "p_pay": round(self.p_pay, 3),
            "p_home_by_band": {
                f"{a:02d}-{b:02d}": round(p, 3)
                for (a, b), p in zip(BANDS, self.p_home, strict=True)
            },
            "self_per_day": round(self.self_rate, 5),
        }

    def with_home(self, p_home: tuple[float, ...]) -> Rates:
        """These rates with P(home) per band fixed for the day (calendar applied)."""
        return Rates(self.p_pay, p_home, self.self_rate)


#: Each band's length, and the working day's (the weights of :func:`day_mean`).
_SPANS = tuple(b - a for a, b in BANDS)
_DAY = sum(_SPANS)


def day_mean(p_home: tuple[float, ...]) -> float:
    """P(home) over the working day: the bands' values weighted by their length."""
    return sum(p * w for p, w in zip(p_home, _SPANS, strict=True)) / _DAY


def estimate(history: History, prior: Rates, weight: float) -> Rates:
    """Shrink ``history`` toward ``prior`` (``weight`` pseudo-trials per rate).

    P(home) is estimated in two levels, because a handful of visits spread over four
    bands says little about any one band: first the account's day-long P(home) from all
    its visits, then each band from that band's visits, shrunk toward the prior's band
    profile scaled to the account's day-long level.
    """
    prior_day = day_mean(prior.p_home)
    day = shrink(sum(history.home_by_band), history.visits, prior_day, weight)
    scale = day / prior_day if prior_day > 0 else 1.0
    p_home = tuple(
        min(
            0.99,
            max(
                0.01,
                shrink(
                    history.home_by_band[i],
                    history.visits_by_band[i],
                    min(0.99, prior.p_home[i] * scale),
                    weight,
                ),
            ),
        )
        for i in range(len(BANDS))
    )
    return Rates(
        p_pay=shrink(
            history.pay_successes + BILL_WEIGHT * history.bills_paid,
            history.pay_trials + BILL_WEIGHT * history.bills_due,
            prior.p_pay,
            weight,
        ),
        p_home=p_home,
        self_rate=shrink(
            history.self_paid, history.overdue_days, prior.self_rate, weight * DAYS_PER_PSEUDO_BILL
        ),
    )


def group_priors(
    histories: Mapping[int, History], group_of: Mapping[int, tuple[str, str]]
) -> tuple[Rates, dict[tuple[str, str], Rates]]:
    """Station prior and per-(village, category) priors from pooled account histories.

    Parameters
    ----------
    histories
        Account id to its history; accounts without visits may be absent.
    group_of
        Account id to its ``(village, category)`` group.

    Returns
    -------
    tuple
        The station's rates and each group's rates shrunk toward them.
    """
    groups: dict[tuple[str, str], History] = {}
    for account_id, group in group_of.items():
        pooled = groups.get(group)
        if pooled is None:
            pooled = groups[group] = History()
        h = histories.get(account_id)
        if h is not None:
            pooled.add(h)
    station = History()  # the groups' counts (integers: the same sums in any order)
    for pooled in groups.values():
        station.add(pooled)
    default = Rates(DEFAULT_P_PAY, (DEFAULT_P_HOME,) * len(BANDS), DEFAULT_SELF_RATE)
    station_rates = estimate(station, default, GROUP_PRIOR_WEIGHT)
    return station_rates, {
        g: estimate(h, station_rates, GROUP_PRIOR_WEIGHT) for g, h in groups.items()
    }


@dataclass(frozen=True)
class VisitValue:
    """The prize of one visit and the numbers behind it.

    Attributes
    ----------
    prize_fen
        ``amount due (fen) x p_pay x p_home x (1 - p_self)``, rounded to an integer.
    p_home
        P(home) used: the chosen band's, or the day's mean when no band stands out.
    band
        Index into :data:`BANDS` of the window to visit in, or None for any time.
    p_self
        P(the account pays by itself within the horizon): that money is not the visit's.
    horizon_days
        Days left in the month (plan day included) over which ``p_self`` is taken.
    p_promise
        P(an open promise dated later in the month is kept), already in ``p_self``.
    """

    amount_due: Decimal
    p_pay: float
    p_home: float
    band: int | None
    prize_fen: int
    p_self: float = 0.0
    horizon_days: int = 0
    #: Station-local seconds the customer said on the phone they would be home.
    window: tuple[int, int] | None = None
    #: P(home) over the whole day (the bands' length-weighted mean): the visit's P(home)
    #: when it is not tied to a band. None: the same as ``p_home``.
    mean_home: float | None = None
    p_promise: float = 0.0

    @property
    def expected_value(self) -> Decimal:
        """The prize in yuan."""
        return (Decimal(self.prize_fen) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def without_band(self) -> VisitValue:
        """The same visit at any time of the day: no band, P(home) the day's mean, the
        prize recomputed (a promise's or a call's window is not a band: kept as it is)."""
        if self.band is None or self.mean_home is None:
            return self
        fen = _prize_fen(self.amount_due, self.p_pay, self.mean_home, self.p_self)
        return replace(self, band=None, p_home=self.mean_home, prize_fen=fen)


def _prize_fen(amount_due: Decimal, p_pay: float, p_home: float, p_self: float) -> int:
    factor = Decimal(repr(p_pay)) * Decimal(repr(p_home)) * Decimal(repr(1.0 - p_self))
    return max(0, int((amount_due * 100 * factor).to_integral_value(ROUND_HALF_UP)))


def visit_value(
    amount_due: Decimal,
    rates: Rates,
    *,
    horizon_days: int,
    forced_band: int | None = None,
    window: tuple[int, int] | None = None,
    home_in_window: float | None = None,
    p_promise: float = 0.0,
) -> VisitValue:
    """Value a visit: pick the time band (if one clearly stands out) and compute the prize.

    Parameters
    ----------
    amount_due
        Principal plus late fee as of the plan day, yuan.
    rates
        The account's shrunk estimates.
    horizon_days
        Days over which money paid by the account itself would count anyway: the days
        left in the month (:func:`month_days_left`); 0 counts no self-payment.
    forced_band
        Use this band (e.g. the one a promise was given for) instead of choosing.
    window, home_in_window
        The time the customer said on the phone they would be home, and P(home) then
        (what past appointments showed): the visit's window instead of a band.
    p_promise
        P(a promise the customer gave for a later day of the month is kept): like the
        money the account pays by itself, what the promise brings is not the visit's.
    """
    mean_home = day_mean(rates.p_home)
    best = max(range(len(BANDS)), key=lambda i: rates.p_home[i])
    band: int | None
    if window is not None and home_in_window is not None:
        band, p_home = None, home_in_window
    elif forced_band is not None:
        band, p_home = forced_band, rates.p_home[forced_band]
    elif (
        rates.p_home[best] - mean_home >= WINDOW_GAIN
        and rates.p_home[best] >= WINDOW_LIFT * mean_home
    ):
        band, p_home = best, rates.p_home[best]
    else:
        band, p_home = None, mean_home
    p_self = 1.0 - (1.0 - rates.p_self(horizon_days)) * (1.0 - p_promise)
    fen = _prize_fen(amount_due, rates.p_pay, p_home, p_self)
    return VisitValue(
        amount_due,
        rates.p_pay,
        p_home,
        band,
        fen,
        p_self,
        horizon_days,
        window,
        mean_home,
        p_promise,
    )
