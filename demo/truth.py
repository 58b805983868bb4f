"""The demo county's hidden truth: who pays, and who is home when.

The planner never reads this; the month simulation draws visit outcomes from it.
It is a pure function of (seed, account number, family), so nothing secret is stored.

Presence has a day level and a band level: a customer is *around* on a day with
P(around), and, around, home in a band with ``home_prob / around``; so ``home_prob`` is
the marginal P(home) per band on an ordinary day and a call the evening before can tell
who will be around. On the station's festival and harvest return days (``demo.seasons``)
migrant households are around with :data:`RETURN_AROUND`; on their village's market days
everyone is out more, in the morning most (:data:`MARKET_EFFECT`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from core.planning.calendar import DayContext

# Time bands of the working day (station-local hours, [start, end)).
BANDS = ((8, 10), (10, 12), (12, 14), (14, 18))

KINDS = (
    # kind, share, P(pay | visited and home), P(home) per band, P(around on a day)
    ("punctual", 0.68, 0.95, (0.55, 0.45, 0.70, 0.50), 0.85),
    ("late", 0.15, 0.75, (0.50, 0.40, 0.65, 0.45), 0.80),
    ("chronic", 0.09, 0.45, (0.45, 0.35, 0.60, 0.40), 0.75),
    ("migrant", 0.05, 0.60, (0.08, 0.06, 0.10, 0.08), 0.12),
    ("refuser", 0.03, 0.06, (0.70, 0.60, 0.80, 0.70), 0.92),
)
#: P(around) of a migrant household on festival and harvest return days.
RETURN_AROUND = 0.85
#: Factor on P(home | around) per band on the village's market days.
MARKET_EFFECT = (0.45, 0.6, 0.85, 0.9)
#: Daily rate of paying an overdue bill by oneself (online, the hall), per kind: the rates
#: the seeded history showed (bench/MONTH_SIM.md, stop 9).
SELF_RATE = {
    "punctual": 0.03,
    "late": 0.011,
    "chronic": 0.0015,
    "migrant": 0.0005,
    "refuser": 0.0002,
}


@dataclass(frozen=True)
class Family:
    """A kind of county: shares of the kinds, bill sizes, online habits, old debts.

    Attributes
    ----------
    shares
        Share of each kind, in :data:`KINDS` order.
    kwh
        Factor on the electricity used (bills).
    online
        Factor on the rates of paying overdue bills by oneself.
    old_debts
        Share of chronic, migrant and refusing accounts that carry arrears from two to
        three years ago (brought forward when the county took over the books).
    """

    name: str
    shares: tuple[float, float, float, float, float]
    kwh: float = 1.0
    online: float = 1.0
    old_debts: float = 0.0


FAMILIES = {
    f.name: f
    for f in (
        Family("default", (0.68, 0.15, 0.09, 0.05, 0.03)),
        Family("migrants", (0.58, 0.15, 0.09, 0.15, 0.03)),
        Family("refusers", (0.62, 0.15, 0.09, 0.05, 0.09)),
        Family("rich", (0.74, 0.13, 0.06, 0.05, 0.02), kwh=1.6, online=3.0),
        Family("poor", (0.60, 0.16, 0.14, 0.06, 0.04), kwh=0.7, online=0.6, old_debts=0.5),
    )
}
DEFAULT = FAMILIES["default"]


@dataclass(frozen=True)
class Behaviour:
    kind: str
    pay_prob: float
    home_prob: tuple[float, float, float, float]
    around: float = 1.0
    self_rate: float = 0.0

    def home_at(self, hour: int) -> float:
        """P(home) at ``hour`` of an ordinary day."""
        return self.home_prob[_band(hour)]

    def around_on(self, ctx: DayContext | None) -> float:
        if ctx is not None and ctx.returning and self.kind == "migrant":
            return RETURN_AROUND
        return self.around

    def cond(self, band: int, ctx: DayContext | None) -> float:
        """P(home in ``band`` | around)."""
        p = min(1.0, self.home_prob[band] / self.around)
        if ctx is not None and ctx.market:
            p *= MARKET_EFFECT[band]
        return p

    def home_on(self, ctx: DayContext | None) -> tuple[float, ...]:
        """Marginal P(home) per band on a day the calendar describes as ``ctx``."""
        a = self.around_on(ctx)
        return tuple(a * self.cond(b, ctx) for b in range(len(BANDS)))

    def home_at_on(self, hour: int, ctx: DayContext | None) -> float:
        return self.home_on(ctx)[_band(hour)]


def _band(hour: int) -> int:
    for i, (start, end) in enumerate(BANDS):
        if start <= hour < end:
            return i
    return 0 if hour < BANDS[0][0] else len(BANDS) - 1


def behaviour(seed: int, account_number: str, family: Family = DEFAULT) -> Behaviour:
    rng = random.Random(f"truth:{seed}:{account_number}")
    pick = rng.random()
    chosen = KINDS[-1]
    for candidate, share in zip(KINDS, family.shares, strict=True):
        pick -= share
        if pick < 0:
            chosen = candidate
            break
    kind, _share, pay, home, around = chosen
    # Individual variation around the kind's averages; some people are farmers
    # out in the fields in the morning, others shopkeepers always in.
    jitter = [min(0.98, max(0.02, p * rng.uniform(0.6, 1.4))) for p in home]
    pay_prob = min(0.99, max(0.01, pay * rng.uniform(0.8, 1.15)))
    around_i = min(0.99, max(around, max(jitter) / 0.97))
    return Behaviour(
        kind,
        pay_prob,
        (jitter[0], jitter[1], jitter[2], jitter[3]),
        around_i,
        SELF_RATE[kind] * family.online,
    )
