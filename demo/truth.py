"""The demo county's hidden truth: who pays, and who is home when.

The planner never reads this; the month simulation draws visit outcomes from it.
It is a pure function of (seed, account number), so nothing secret is stored.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Time bands of the working day (station-local hours, [start, end)).
BANDS = ((8, 10), (10, 12), (12, 14), (14, 18))

KINDS = (
    # kind, share, P(pay | visited and home), P(home) per band
    ("punctual", 0.68, 0.95, (0.55, 0.45, 0.70, 0.50)),
    ("late", 0.15, 0.75, (0.50, 0.40, 0.65, 0.45)),
    ("chronic", 0.09, 0.45, (0.45, 0.35, 0.60, 0.40)),
    ("migrant", 0.05, 0.60, (0.08, 0.06, 0.10, 0.08)),
    ("refuser", 0.03, 0.06, (0.70, 0.60, 0.80, 0.70)),
)


@dataclass(frozen=True)
class Behaviour:
    kind: str
    pay_prob: float
    home_prob: tuple[float, float, float, float]

    def home_at(self, hour: int) -> float:
        for (start, end), prob in zip(BANDS, self.home_prob, strict=True):
            if start <= hour < end:
                return prob
        return self.home_prob[-1]


def behaviour(seed: int, account_number: str) -> Behaviour:
    rng = random.Random(f"truth:{seed}:{account_number}")
    pick = rng.random()
    chosen = KINDS[-1]
    for candidate in KINDS:
        pick -= candidate[1]
        if pick < 0:
            chosen = candidate
            break
    kind, _share, pay, home = chosen
    # Individual variation around the kind's averages; some people are farmers
    # out in the fields in the morning, others shopkeepers always in.
    jitter = [min(0.98, max(0.02, p * rng.uniform(0.6, 1.4))) for p in home]
    return Behaviour(kind, min(0.99, max(0.01, pay * rng.uniform(0.8, 1.15))), tuple(jitter))  # type: ignore[arg-type]
