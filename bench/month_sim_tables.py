"""Tables per truth family from ``bench/results/month_sim.csv``: mean over draw sets per
policy, and the planner against amount-only draw by draw.

Usage::

    .venv/bin/python -m bench.month_sim_tables [--csv bench/results/month_sim.csv] [--commit C]
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from statistics import mean


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", default="bench/results/month_sim.csv")
    ap.add_argument("--commit", default=None, help="only rows of this commit")
    args = ap.parse_args()
    with open(args.csv) as f:
        rows = [r for r in csv.DictReader(f) if not args.commit or r["commit"] == args.commit]
    by: dict[str, dict[str, dict[str, dict[str, str]]]] = defaultdict(lambda: defaultdict(dict))
    for r in rows:  # the last row of a (family, policy, draws) wins
        by[r["family"]][r["policy"]][r["draw_seed"]] = r
    for family, policies in sorted(by.items()):
        print(f"\n### {family}\n")
        print(
            "| policy | draw sets | station rate | field rate | yuan / collector-day | "
            "expected yuan / collector-day | empty doors |\n|---|---:|---:|---:|---:|---:|---:|"
        )
        for policy, draws in sorted(policies.items()):
            rs = list(draws.values())

            def m(key: str, rs: list[dict[str, str]] = rs) -> float:
                return mean(float(r[key]) for r in rs)

            print(
                f"| {policy} | {len(rs)} | {100 * m('station_rate'):.1f}% "
                f"| {100 * m('field_rate'):.1f}% | {m('yuan_per_collector_day'):,.0f} "
                f"| {m('expected_yuan_per_collector_day'):,.0f} "
                f"| {100 * m('empty_door_rate'):.0f}% |"
            )
        model, amount = policies.get("model", {}), policies.get("amount", {})
        common = sorted(set(model) & set(amount))
        if common:
            wins = sum(
                float(model[d]["yuan_per_collector_day"])
                > float(amount[d]["yuan_per_collector_day"])
                for d in common
            )
            ym = mean(float(model[d]["yuan_per_collector_day"]) for d in common)
            ya = mean(float(amount[d]["yuan_per_collector_day"]) for d in common)
            sm = mean(float(model[d]["station_rate"]) for d in common)
            sa = mean(float(amount[d]["station_rate"]) for d in common)
            print(
                f"\nplanner vs amount-only on {len(common)} common draw sets: yuan per "
                f"collector-day {100 * (ym / ya - 1):+.1f}% (ahead in {wins} of "
                f"{len(common)}), station rate {100 * (sm - sa):+.1f} points"
            )
            oracle = policies.get("oracle", {})
            both = sorted(set(common) & set(oracle))
            if both:
                for label, key in (
                    ("yuan per collector-day", "yuan_per_collector_day"),
                    ("station rate", "station_rate"),
                ):
                    yo = mean(float(oracle[d][key]) for d in both)
                    ya2 = mean(float(amount[d][key]) for d in both)
                    ym2 = mean(float(model[d][key]) for d in both)
                    gap = yo - ya2
                    closed = (
                        f"{100 * (ym2 - ya2) / gap:.0f}%"
                        if gap > 0
                        else "not defined (the oracle is not ahead of amount-only)"
                    )
                    print(
                        f"share of the amount-only -> oracle gap in {label} the planner "
                        f"closes ({len(both)} draw sets): {closed}"
                    )


if __name__ == "__main__":
    main()
