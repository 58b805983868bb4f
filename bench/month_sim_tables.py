"""Tables per truth family from ``bench/results/month_sim.csv``: mean over draw sets per
policy, and the planner against amount-only draw by draw.

"collected" is the money the collectors' work brought in per collector-day: paid at the
door, plus paid online on the morning the customer promised it on the evening's call
(``collected_yuan_per_collector_day``). "door" is the door money alone
(``yuan_per_collector_day``). "added" (where the family has ``idle`` rows on the same
draws) is the principal the collectors' work added to the station's month per
collector-day: the station's collected principal less what the same draws brought in
with nobody out, so door money that would have come online anyway counts for nothing and
online money the collectors' calls and promises brought counts. "principal" (on rows
that carry it) is "collected" without the late fees: the bills' part of the door money
and of the calls' online money, the part the station's collection rate counts.

Usage::

    .venv/bin/python -m bench.month_sim_tables [--csv bench/results/month_sim.csv] [--commit C]
        [--pay-draw day|contact-day|contact] [--skip-commit C ...] [--draws 2,3,5,...]

The last table marks each family's lead on each yardstick against issue 18's bar.
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from math import sqrt
from statistics import mean, stdev

Row = dict[str, str]


def collected(r: Row) -> float:
    """Door money plus the money promised on the phone and paid, per collector-day."""
    return float(r["collected_yuan_per_collector_day"])


def collected_principal(r: Row) -> float:
    """:func:`collected` without late fees (rows from 2026-12-04 on carry it)."""
    return float(r["collected_principal_per_collector_day"])


def has_principal(r: Row) -> bool:
    return bool(r.get("collected_principal_per_collector_day"))


def door(r: Row) -> float:
    return float(r["yuan_per_collector_day"])


def station(r: Row) -> float:
    return float(r["station_rate"])


def added_by(idle: dict[str, Row]) -> Callable[[Row], float]:
    """The principal a row's collectors added per collector-day, against ``idle`` (the
    same family and draws with nobody out; its row carries the month's start principal)."""

    def added(r: Row) -> float:
        base = idle[r["draw_seed"]]
        return (
            (station(r) - station(base))
            * float(base["start_principal"])
            / float(r["collector_days"])
        )

    return added


def policy_table(policies: dict[str, dict[str, Row]]) -> list[str]:
    out = [
        "| policy | draw sets | station rate | field rate | collected / collector-day | "
        "door yuan / collector-day | expected door yuan | empty doors | added / collector-day "
        "| principal / collector-day |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    idle = policies.get("idle", {})
    added = added_by(idle)
    for policy, draws in sorted(policies.items()):
        rs = list(draws.values())

        def m(key: str, rs: list[Row] = rs) -> float:
            return mean(float(r[key]) for r in rs)

        with_idle = [r for r in rs if r["draw_seed"] in idle and policy != "idle"]
        add = f"{mean(added(r) for r in with_idle):,.0f} ({len(with_idle)})" if with_idle else "-"
        counted = [r for r in rs if has_principal(r)]
        principal = (
            f"{mean(collected_principal(r) for r in counted):,.0f} ({len(counted)})"
            if counted
            else "-"
        )
        out.append(
            f"| {policy} | {len(rs)} | {100 * m('station_rate'):.1f}% "
            f"| {100 * m('field_rate'):.1f}% | {mean(collected(r) for r in rs):,.0f} "
            f"| {m('yuan_per_collector_day'):,.0f} "
            f"| {m('expected_yuan_per_collector_day'):,.0f} "
            f"| {100 * m('empty_door_rate'):.0f}% | {add} | {principal} |"
        )
    return out


def draw_table(model: dict[str, Row], amount: dict[str, Row], common: list[str]) -> list[str]:
    """The planner against amount-only, set by set."""
    out = [
        "| draws | planner: station / collected / door | amount-only: station / collected "
        "/ door | planner - amount: station / collected / door |",
        "|---|---|---|---|",
    ]
    for d in common:
        p, a = model[d], amount[d]
        gain = 100 * (collected(p) / collected(a) - 1)
        out.append(
            f"| {d} | {100 * station(p):.1f} % / {collected(p):,.0f} / {door(p):,.0f} "
            f"| {100 * station(a):.1f} % / {collected(a):,.0f} / {door(a):,.0f} "
            f"| {100 * (station(p) - station(a)):+.1f} / {gain:+.1f} % "
            f"/ {100 * (door(p) / door(a) - 1):+.1f} % |"
        )
    return out


@dataclass(frozen=True)
class Lead:
    """The planner against amount-only on one yardstick over some draw sets."""

    label: str
    #: Money: the ratio of the means less 1, in %; station rate: the difference, in points.
    value: float
    #: The standard error of the set-by-set differences (same unit); None under two sets.
    se: float | None
    ahead: int
    sets: int
    unit: str = "%"

    def meets(self, bar: float, *, most_sets: bool = True) -> bool:
        """``value`` at least ``bar`` and, with ``most_sets``, ahead in three sets of four
        or more (six of eight)."""
        return self.value >= bar and (not most_sets or 4 * self.ahead >= 3 * self.sets)

    def __str__(self) -> str:
        digits = 1 if self.unit == "%" else 2  # a point of station rate is a lot of money
        se = f" ± {self.se:.{digits}f}" if self.se is not None else ""
        return f"{self.value:+.{digits}f}{self.unit}{se} (ahead in {self.ahead} of {self.sets})"


def money_lead(
    label: str,
    model: dict[str, Row],
    amount: dict[str, Row],
    sets: list[str],
    f: Callable[[Row], float],
) -> Lead:
    ym, ya = mean(f(model[d]) for d in sets), mean(f(amount[d]) for d in sets)
    diffs = [100 * (f(model[d]) / f(amount[d]) - 1) for d in sets]
    return Lead(
        label,
        100 * (ym / ya - 1),
        _se(diffs),
        sum(f(model[d]) > f(amount[d]) for d in sets),
        len(sets),
    )


def station_lead(model: dict[str, Row], amount: dict[str, Row], sets: list[str]) -> Lead:
    diffs = [100 * (station(model[d]) - station(amount[d])) for d in sets]
    return Lead(
        "station rate", mean(diffs), _se(diffs), sum(x > 0 for x in diffs), len(sets), " points"
    )


def _se(diffs: list[float]) -> float | None:
    """How far luck alone moves the mean of these set-by-set differences."""
    return stdev(diffs) / sqrt(len(diffs)) if len(diffs) >= 2 else None


def leads(
    model: dict[str, Row], amount: dict[str, Row], common: list[str], idle: dict[str, Row]
) -> list[Lead]:
    """Every yardstick's lead: "added" on the sets with an ``idle`` row, "principal" on the
    sets whose rows carry it, the others on ``common``."""
    out = [
        money_lead("collected", model, amount, common, collected),
        money_lead("door", model, amount, common, door),
    ]
    with_idle = [d for d in common if d in idle]
    if with_idle:
        out.append(money_lead("added", model, amount, with_idle, added_by(idle)))
    with_principal = [d for d in common if has_principal(model[d]) and has_principal(amount[d])]
    if with_principal:
        out.append(money_lead("principal", model, amount, with_principal, collected_principal))
    out.append(station_lead(model, amount, common))
    return out


def versus(ls: list[Lead], common: int) -> str:
    """Every yardstick's lead on one line."""
    parts = ", ".join(f"{x.label} {x}" for x in ls)
    return f"planner vs amount-only on {common} common draw sets: {parts}"


#: Issue 18's bar: the planner's money at least 3 % above amount-only's and ahead in six
#: sets of eight; its month-end station rate at least 1 point above (on the mean).
MONEY_BAR, STATION_BAR = 3.0, 1.0
BAR_COLUMNS = ("collected", "door", "added", "principal", "station rate")


def bar_table(by_family: dict[str, list[Lead]]) -> list[str]:
    """Per family, each yardstick's lead, marked with whether it meets issue 18's bar."""
    out = [
        "| family | " + " | ".join(BAR_COLUMNS) + " |",
        "|---|" + "---:|" * len(BAR_COLUMNS),
    ]
    for family, ls in sorted(by_family.items()):
        named = {x.label: x for x in ls}
        cells = []
        for col in BAR_COLUMNS:
            x = named.get(col)
            if x is None:
                cells.append("-")
                continue
            ok = (
                x.meets(STATION_BAR, most_sets=False)
                if col == "station rate"
                else x.meets(MONEY_BAR)
            )
            cells.append(f"{x} {'meets' if ok else 'short'}")
        out.append(f"| {family} | " + " | ".join(cells) + " |")
    return out


def oracle_gap(
    model: dict[str, Row], amount: dict[str, Row], oracle: dict[str, Row], both: list[str]
) -> list[str]:
    """How much of the amount-only -> oracle gap the planner closes, per yardstick."""
    out = []
    yardsticks: tuple[tuple[str, Callable[[Row], float]], ...] = (
        ("collected", collected),
        ("door yuan", door),
        ("station rate", station),
    )
    for label, f in yardsticks:
        yo, ya, ym = (mean(f(x[d]) for d in both) for x in (oracle, amount, model))
        gap = yo - ya
        closed = (
            f"{100 * (ym - ya) / gap:.0f}%"
            if gap > 0
            else "not defined (the oracle is not ahead of amount-only)"
        )
        out.append(
            f"share of the amount-only -> oracle gap in {label} the planner closes "
            f"({len(both)} draw sets): {closed}"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", default="bench/results/month_sim.csv")
    ap.add_argument("--commit", default=None, help="only rows of this commit")
    ap.add_argument(
        "--pay-draw",
        choices=("day", "contact-day", "contact"),
        default="day",
        help="only rows of this scheme of draws (bench/month_sim.py --pay-draw): rows of "
        "different schemes are not draws of the same luck",
    )
    ap.add_argument(
        "--skip-commit",
        action="append",
        default=[],
        help="leave out the rows of this commit (a planner change measured and reverted)",
    )
    ap.add_argument(
        "--draws",
        type=lambda v: v.split(","),
        default=None,
        help="only these draw sets, comma-separated (e.g. the canonical eight: "
        "2,3,5,7,11,13,17,19)",
    )
    args = ap.parse_args()
    with open(args.csv) as f:
        rows = [
            r
            for r in csv.DictReader(f)
            if (not args.commit or r["commit"] == args.commit)
            and r["commit"] not in args.skip_commit
            and (args.draws is None or r["draw_seed"] in args.draws)
            # idle contacts nobody, so its month is the same under every pay draw scheme
            and ((r.get("pay_draw") or "day") == args.pay_draw or r["policy"] == "idle")
        ]
    by: dict[str, dict[str, dict[str, Row]]] = defaultdict(lambda: defaultdict(dict))
    for r in rows:  # the last row of a (family, policy, draws) wins
        by[r["family"]][r["policy"]][r["draw_seed"]] = r
    bar: dict[str, list[Lead]] = {}
    for family, policies in sorted(by.items()):
        print(f"\n### {family}\n")
        print("\n".join(policy_table(policies)))
        model, amount = policies.get("model", {}), policies.get("amount", {})
        common = sorted(set(model) & set(amount), key=int)
        if not common:
            continue
        print()
        print("\n".join(draw_table(model, amount, common)))
        print()
        bar[family] = leads(model, amount, common, policies.get("idle", {}))
        print(versus(bar[family], len(common)))
        oracle = policies.get("oracle", {})
        both = sorted(set(common) & set(oracle), key=int)
        if both:
            print("\n".join(oracle_gap(model, amount, oracle, both)))
    if bar:
        print("\n### Issue 18's bar: planner against amount-only\n")
        print(
            f"Money: +{MONEY_BAR:.0f} % or more and ahead in three sets of four or more; "
            f"station rate: +{STATION_BAR:.0f} point or more on the mean.\n"
        )
        print("\n".join(bar_table(bar)))


if __name__ == "__main__":
    main()
