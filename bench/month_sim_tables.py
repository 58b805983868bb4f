"""Tables per truth family from ``bench/results/month_sim.csv``: mean over draw sets per
policy, and the planner against amount-only draw by draw.

"collected" is the money the collectors' work brought in per collector-day: paid at the
door, plus paid online on the morning the customer promised it on the evening's call
(``collected_yuan_per_collector_day``). "door" is the door money alone
(``yuan_per_collector_day``).

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


def door(r: Row) -> float:
    return float(r["yuan_per_collector_day"])


def station(r: Row) -> float:
    return float(r["station_rate"])


def policy_table(policies: dict[str, dict[str, Row]]) -> list[str]:
    out = [
        "| policy | draw sets | station rate | field rate | collected / collector-day | "
        "door yuan / collector-day | expected door yuan | empty doors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for policy, draws in sorted(policies.items()):
        rs = list(draws.values())

        def m(key: str, rs: list[Row] = rs) -> float:
            return mean(float(r[key]) for r in rs)

        out.append(
            f"| {policy} | {len(rs)} | {100 * m('station_rate'):.1f}% "
            f"| {100 * m('field_rate'):.1f}% | {mean(collected(r) for r in rs):,.0f} "
            f"| {m('yuan_per_collector_day'):,.0f} "
            f"| {m('expected_yuan_per_collector_day'):,.0f} "
            f"| {100 * m('empty_door_rate'):.0f}% |"
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


def versus(model: dict[str, Row], amount: dict[str, Row], common: list[str]) -> str:
    """Ratio of the means (± the standard error of the set-by-set differences) and sets
    ahead, on each yardstick."""
    parts = []
    for label, f in (("collected", collected), ("door", door)):
        ym, ya = mean(f(model[d]) for d in common), mean(f(amount[d]) for d in common)
        wins = sum(f(model[d]) > f(amount[d]) for d in common)
        parts.append(
            f"{label} {100 * (ym / ya - 1):+.1f}% {luck(model, amount, common, f)} "
            f"(ahead in {wins} of {len(common)})"
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
        "the two schemes are not draws of the same luck",
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
            and (r.get("pay_draw") or "day") == args.pay_draw
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
        print(versus(model, amount, common))
        oracle = policies.get("oracle", {})
        both = sorted(set(common) & set(oracle), key=int)
        if both:
            print("\n".join(oracle_gap(model, amount, oracle, both)))


if __name__ == "__main__":
    main()
