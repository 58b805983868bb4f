"""Honest estimates: two kinds of customer behind each rate, and the calendar's days.

**Two types.** A village's debtors are not one population: most pay when the collector
finds them (some late), a few refuse whatever happens (钉子户). Shrinking every account
toward its village's mean pulls a refuser toward its paying neighbours, and a visit to
him looks three times better than it is. So P(pay | home) has a two-type prior: a
*payer* Beta and a *refuser* Beta, fitted on the station's accounts by EM, mixed by the
village/category's share of refusers. An account's own outcomes decide which type it
probably is (its posterior), then its rate within that type. P(home) on ordinary days
has the same two-type prior (*resident* and *away*: migrant houses that stand empty),
so a migrant house is not pulled toward its lived-in neighbours either.

**Return days.** On festival and harvest return days (``core.planning.calendar``) an
*away* house is home at the rate the station's past return days showed for away houses;
a resident one at its ordinary rate times the residents' return-day ratio. The type
posterior uses the return-day visits too, so a house found full at Spring Festival and
empty otherwise is known for what it is.

**Market days and weekdays.** On a village's market days P(home) per band is multiplied
by the village's market factor (observed / expected homes on its market days, shrunk
toward the station's, which is shrunk toward 1); each weekday has a station factor made
the same way from ordinary days.

All counts are Beta-binomial (``k`` successes in ``n`` trials); the factors are
Gamma-Poisson ratios ``(observed + a f0) / (expected + a)``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from math import exp, lgamma, log

from core.planning.visit_value import (
    ACCOUNT_PRIOR_WEIGHT,
    BANDS,
    BILL_WEIGHT,
    DAYS_PER_PSEUDO_BILL,
    GROUP_PRIOR_WEIGHT,
    History,
    Rates,
    day_mean,
    estimate,
    group_priors,
    shrink,
)

#: Pseudo-trials of each type's Beta: how much one type's accounts differ among themselves.
TYPE_WEIGHT = 6.0
#: Pseudo-counts of the market and weekday factors (expected homes).
FACTOR_WEIGHT = 8.0
#: Pseudo-visits behind the return-day rates.
RETURN_WEIGHT = 6.0
#: EM rounds; the fit settles in a few on a station's accounts.
EM_ROUNDS = 40


def _log_beta(a: float, b: float) -> float:
    return lgamma(a) + lgamma(b) - lgamma(a + b)


@dataclass(frozen=True)
class TwoTypes:
    """A two-type (mixture of two Betas) prior of a rate.

    Attributes
    ----------
    share_low
        Prior share of the low type (refusers; away houses).
    low, high
        Mean rate of each type.
    weight
        Pseudo-trials of each type's Beta.
    """

    share_low: float
    low: float
    high: float
    weight: float = TYPE_WEIGHT

    def _loglik(self, mean: float, k: float, n: float) -> float:
        a, b = self.weight * mean, self.weight * (1.0 - mean)
        return _log_beta(a + k, b + n - k) - _log_beta(a, b)

    def posterior_low(self, k: float, n: float, share_low: float | None = None) -> float:
        """P(low type | ``k`` of ``n``), with the group's ``share_low`` if given."""
        share = self.share_low if share_low is None else share_low
        share = min(0.999, max(0.001, share))
        lo = log(share) + self._loglik(self.low, k, n)
        hi = log(1.0 - share) + self._loglik(self.high, k, n)
        return 1.0 / (1.0 + exp(hi - lo)) if hi - lo < 700 else 0.0

    def mean(self, k: float, n: float, share_low: float | None = None) -> float:
        """Posterior mean rate: each type's Beta updated by ``k`` of ``n``, mixed by the
        posterior of the type."""
        r = self.posterior_low(k, n, share_low)
        w = self.weight
        return r * shrink(k, n, self.low, w) + (1.0 - r) * shrink(k, n, self.high, w)


def fit_two_types(
    counts: list[tuple[float, float]], start: TwoTypes, *, min_gap: float = 0.2
) -> TwoTypes:
    """EM fit of the share and the two means to accounts' ``(k, n)``; ``start`` also
    gives the weight. The means stay ``min_gap`` apart, so the types keep their meaning."""
    data = [(k, n) for k, n in counts if n > 0]
    if len(data) < 10:
        return start
    # Accounts with the same evidence have the same posterior: each distinct (k, n)
    # once, weighted by how many accounts have it (a station's thousands of accounts
    # share a few hundred).
    seen = Counter(data)
    pairs, times = list(seen), list(seen.values())
    t = start
    for _ in range(EM_ROUNDS):
        post = [t.posterior_low(k, n) for k, n in pairs]
        w_low = sum(m * r for m, r in zip(times, post, strict=True))
        w_high = len(data) - w_low
        low_k = sum(m * r * k for m, r, (k, _) in zip(times, post, pairs, strict=True))
        low_n = sum(m * r * n for m, r, (_, n) in zip(times, post, pairs, strict=True))
        high_k = sum(m * (1 - r) * k for m, r, (k, _) in zip(times, post, pairs, strict=True))
        high_n = sum(m * (1 - r) * n for m, r, (_, n) in zip(times, post, pairs, strict=True))
        low = (low_k + t.weight * t.low) / (low_n + t.weight)
        high = (high_k + t.weight * t.high) / (high_n + t.weight)
        low = min(max(0.005, low), 0.99 - min_gap)
        high = min(0.995, max(high, low + min_gap))
        share = (w_low + 1.0) / (w_low + w_high + 2.0)
        t = TwoTypes(share, low, high, t.weight)
    return t


#: Where the fits start: a few refusers paying rarely, most paying more often than not;
#: a few houses standing empty, most lived in.
PAY_START = TwoTypes(0.1, 0.08, 0.65)
HOME_START = TwoTypes(0.1, 0.08, 0.55)


def pay_evidence(h: History) -> tuple[float, float]:
    """Payments in trials: door outcomes when somebody was home, and the year's bills."""
    return (
        h.pay_successes + BILL_WEIGHT * h.bills_paid,
        h.pay_trials + BILL_WEIGHT * h.bills_due,
    )


def home_evidence(h: History) -> tuple[float, float]:
    """Homes in visits on ordinary days (not return, not market days)."""
    return float(sum(h.home_by_band)), float(h.visits)


@dataclass(frozen=True)
class TypeModel:
    """The station's two-type priors and calendar effects, and each group's type shares."""

    pay: TwoTypes
    home: TwoTypes
    #: P(home) of an away house on return days (day level).
    return_away: float
    #: P(home) of a resident house on return days, relative to its ordinary days.
    return_resident: float
    #: Per (village, category): (share of refusers, share of away houses).
    shares: Mapping[tuple[str, str], tuple[float, float]]

    def shares_of(self, group: tuple[str, str]) -> tuple[float, float]:
        return self.shares.get(group, (self.pay.share_low, self.home.share_low))

    def to_json(self) -> dict[str, object]:
        return {
            "pay": asdict(self.pay),
            "home": asdict(self.home),
            "return_away": self.return_away,
            "return_resident": self.return_resident,
            "shares": [[v, c, list(s)] for (v, c), s in sorted(self.shares.items())],
        }

    @classmethod
    def from_json(cls, data: object) -> TypeModel:
        """Raises KeyError, TypeError or ValueError for another form."""
        if not isinstance(data, dict):
            raise TypeError("not a type model")
        return cls(
            TwoTypes(**{k: float(v) for k, v in data["pay"].items()}),
            TwoTypes(**{k: float(v) for k, v in data["home"].items()}),
            float(data["return_away"]),
            float(data["return_resident"]),
            {(str(v), str(c)): (float(a), float(b)) for v, c, (a, b) in data["shares"]},
        )


def account_rates(h: History, group: Rates, model: TypeModel, shares: tuple[float, float]) -> Rates:
    """An account's rates: two-type P(pay) and ordinary P(home), P(home) on return days,
    the group's market and weekday factors, the self-payment rate shrunk as before
    (:func:`~core.planning.visit_value.estimate`'s)."""
    self_rate = shrink(
        h.self_paid, h.overdue_days, group.self_rate, ACCOUNT_PRIOR_WEIGHT * DAYS_PER_PSEUDO_BILL
    )
    k, n = pay_evidence(h)
    p_pay = model.pay.mean(k, n, shares[0])
    home, visits = home_evidence(h)
    day = model.home.mean(home, visits, shares[1])
    prior_day = day_mean(group.p_home)
    scale = day / prior_day if prior_day > 0 else 1.0
    p_home = tuple(
        _clip(
            shrink(
                h.home_by_band[i],
                h.visits_by_band[i],
                min(0.99, group.p_home[i] * scale),
                ACCOUNT_PRIOR_WEIGHT,
            )
        )
        for i in range(len(BANDS))
    )
    away = _away_posterior(h, model, shares[1])
    profile = [p / prior_day if prior_day > 0 else 1.0 for p in group.p_home]
    resident = model.home.mean(home, visits, 0.001)
    ordinary = day_mean(p_home)
    p_return = tuple(
        _clip(
            away * model.return_away * profile[i]
            + (1 - away)
            * p_home[i]
            * (resident / ordinary if ordinary > 0 else 1.0)
            * model.return_resident
        )
        for i in range(len(BANDS))
    )
    return Rates(p_pay, p_home, self_rate, p_return, group.market, group.weekday)


def _away_posterior(h: History, model: TypeModel, share_away: float) -> float:
    """P(away house | ordinary visits and return-day visits)."""
    home, visits = home_evidence(h)
    r = model.home.posterior_low(home, visits, share_away)
    if h.return_visits == 0:
        return r
    resident = model.home.mean(home, visits, 0.001) * model.return_resident
    away, resident = _clip(model.return_away), _clip(resident)
    k, n = h.return_home, h.return_visits
    lo = log(max(r, 1e-9)) + k * log(away) + (n - k) * log(1 - away)
    hi = log(max(1 - r, 1e-9)) + k * log(resident) + (n - k) * log(1 - resident)
    return 1.0 / (1.0 + exp(min(700.0, hi - lo)))


def _clip(p: float) -> float:
    return min(0.99, max(0.01, p))


def make_model(
    histories: Mapping[int, History], group_of: Mapping[int, tuple[str, str]]
) -> tuple[Rates, dict[tuple[str, str], Rates], TypeModel]:
    """The station's and each group's rates and the two-type model, from the accounts'
    histories. Groups carry their village's market factors and the station's weekday
    factors."""
    station, groups = group_priors(histories, group_of)
    empty = History()
    pay = fit_two_types([pay_evidence(h) for h in histories.values()], PAY_START)
    home = fit_two_types([home_evidence(h) for h in histories.values()], HOME_START)
    shares: dict[tuple[str, str], tuple[float, float]] = {}
    members: dict[tuple[str, str], list[int]] = {}
    for account_id, g in group_of.items():
        members.setdefault(g, []).append(account_id)
    # Accounts with the same evidence have the same posteriors (most have little).
    ref_of: dict[tuple[float, float], float] = {}
    away_of: dict[tuple[float, float], float] = {}
    for g, ids in members.items():
        ref, away = [], []
        for a in ids:
            h = histories.get(a, empty)
            pe, he = pay_evidence(h), home_evidence(h)
            r = ref_of.get(pe)
            if r is None:
                r = ref_of[pe] = pay.posterior_low(*pe)
            w = away_of.get(he)
            if w is None:
                w = away_of[he] = home.posterior_low(*he)
            ref.append(r)
            away.append(w)
        shares[g] = (
            shrink(sum(ref), len(ref), pay.share_low, GROUP_PRIOR_WEIGHT),
            shrink(sum(away), len(away), home.share_low, GROUP_PRIOR_WEIGHT),
        )
    # Return days: away houses' homes, and residents' against their ordinary rate.
    away_k = away_n = res_k = res_e = 0.0
    for account_id, h in histories.items():
        if not h.return_visits:
            continue
        hk, hn = home_evidence(h)
        r = home.posterior_low(hk, hn, shares.get(group_of.get(account_id, ("", "")), (0, 0.1))[1])
        away_k += r * h.return_home
        away_n += r * h.return_visits
        res_k += (1 - r) * h.return_home
        res_e += (1 - r) * h.return_visits * home.mean(hk, hn, 0.001)
    return_away = shrink(away_k, away_n, home.low, RETURN_WEIGHT)
    return_resident = (res_k + RETURN_WEIGHT) / (res_e + RETURN_WEIGHT)
    model = TypeModel(pay, home, return_away, return_resident, shares)
    weekday, market = _factors(histories, group_of, groups, station)
    station = _with_factors(station, None, weekday)
    station_market = market.get("", tuple(1.0 for _ in BANDS))
    out = {
        g: _with_factors(r, market.get(g[0], station_market), weekday) for g, r in groups.items()
    }
    return station, out, model


def _factors(
    histories: Mapping[int, History],
    group_of: Mapping[int, tuple[str, str]],
    groups: Mapping[tuple[str, str], Rates],
    station: Rates,
) -> tuple[tuple[float, ...], dict[str, tuple[float, ...]]]:
    """Station weekday factors and each village's market factors per band: observed homes
    against those the accounts' ordinary P(home) expects."""
    wd_obs, wd_exp = [0.0] * 7, [0.0] * 7
    mk_obs: dict[str, list[float]] = {}
    mk_exp: dict[str, list[float]] = {}
    # An account's ordinary P(home) depends on its group and its visits and homes per
    # band alone: worked out once per distinct one.
    seen: dict[tuple[object, ...], tuple[tuple[float, ...], float]] = {}
    for account_id, h in histories.items():
        g = group_of.get(account_id)
        if g is None:
            continue
        key = (g, *h.visits_by_band, *h.home_by_band)
        known = seen.get(key)
        if known is None:
            p_home = estimate(h, groups.get(g, station), ACCOUNT_PRIOR_WEIGHT).p_home
            known = seen[key] = (p_home, day_mean(p_home))
        p_home, mean = known
        for d in range(7):
            wd_obs[d] += h.weekday_home[d]
            wd_exp[d] += h.weekday_visits[d] * mean
        if sum(h.market_visits_by_band):
            obs = mk_obs.setdefault(g[0], [0.0] * len(BANDS))
            exp_ = mk_exp.setdefault(g[0], [0.0] * len(BANDS))
            for b in range(len(BANDS)):
                obs[b] += h.market_home_by_band[b]
                exp_[b] += h.market_visits_by_band[b] * p_home[b]
    a = FACTOR_WEIGHT
    weekday = tuple((o + a) / (e + a) for o, e in zip(wd_obs, wd_exp, strict=True))
    tot_o = [sum(o[b] for o in mk_obs.values()) for b in range(len(BANDS))]
    tot_e = [sum(e[b] for e in mk_exp.values()) for b in range(len(BANDS))]
    station_mk = [(o + a) / (e + a) for o, e in zip(tot_o, tot_e, strict=True)]
    market = {
        v: tuple((mk_obs[v][b] + a * station_mk[b]) / (mk_exp[v][b] + a) for b in range(len(BANDS)))
        for v in mk_obs
    }
    market[""] = tuple(station_mk)  # villages without market-day visits yet
    return weekday, market


def _with_factors(r: Rates, market: tuple[float, ...] | None, weekday: tuple[float, ...]) -> Rates:
    return Rates(r.p_pay, r.p_home, r.self_rate, r.p_home_return, market, weekday)
