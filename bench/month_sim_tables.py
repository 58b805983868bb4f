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
        [--pay-draw day|contact-day|contact] [--skip-commit C ...]
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from collections.abc import Callable
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


def versus(
    model: dict[str, Row], amount: dict[str, Row], common: list[str], idle: dict[str, Row]
) -> str:
    """Ratio of the means (± the standard error of the set-by-set differences) and sets
    ahead, on each yardstick ("added" on the sets with an ``idle`` row, "principal" on the
    sets whose rows carry it)."""
    parts = []
    yardsticks: list[tuple[str, Callable[[Row], float], list[str]]] = [
        ("collected", collected, common),
        ("door", door, common),
    ]
    with_idle = [d for d in common if d in idle]
    if with_idle:
        yardsticks.append(("added", added_by(idle), with_idle))
    with_principal = [d for d in common if has_principal(model[d]) and has_principal(amount[d])]
    if with_principal:
        yardsticks.append(("principal", collected_principal, with_principal))
    for label, f, sets in yardsticks:
        ym, ya = mean(f(model[d]) for d in sets), mean(f(amount[d]) for d in sets)
        wins = sum(f(model[d]) > f(amount[d]) for d in sets)
        parts.append(
            f"{label} {100 * (ym / ya - 1):+.1f}% {luck(model, amount, sets, f)} "
            f"(ahead in {wins} of {len(sets)})"
        )
    sm, sa = mean(station(model[d]) for d in common), mean(station(amount[d]) for d in common)
    wins = sum(station(model[d]) > station(amount[d]) for d in common)
    parts.append(f"station rate {100 * (sm - sa):+.1f} points (ahead in {wins})")
    return f"planner vs amount-only on {len(common)} common draw sets: " + ", ".join(parts)


def luck(
    model: dict[str, Row], amount: dict[str, Row], common: list[str], f: Callable[[Row], float]
) -> str:
    """The standard error of the mean set-by-set difference (in % of amount-only): how far
    luck alone moves the mean over these sets."""
    if len(common) < 2:
        return ""
    diffs = [100 * (f(model[d]) / f(amount[d]) - 1) for d in common]
    return f"± {stdev(diffs) / sqrt(len(diffs)):.1f}"


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
    args = ap.parse_args()
    with open(args.csv) as f:
        rows = [
            r
            for r in csv.DictReader(f)
            if (not args.commit or r["commit"] == args.commit)
            and r["commit"] not in args.skip_commit
            # idle contacts nobody, so its month is the same under every pay draw scheme
            and ((r.get("pay_draw") or "day") == args.pay_draw or r["policy"] == "idle")
        ]
    by: dict[str, dict[str, dict[str, Row]]] = defaultdict(lambda: defaultdict(dict))
    for r in rows:  # the last row of a (family, policy, draws) wins
        by[r["family"]][r["policy"]][r["draw_seed"]] = r
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
        print(versus(model, amount, common, policies.get("idle", {})))
        oracle = policies.get("oracle", {})
        both = sorted(set(common) & set(oracle), key=int)
        if both:
            print("\n".join(oracle_gap(model, amount, oracle, both)))


if __name__ == "__main__":
    main()
