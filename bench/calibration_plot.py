"""Calibration of the planner's P(pay) and P(home): predicted vs observed by decile.

Reads the per-visit predictions ``bench/month_sim.py --calibration PREFIX`` wrote
(``PREFIX.<policy>.json``: planned P(pay), planned P(home), home 0/1, paid 0/1 or -1),
prints a table per estimate and draws ``bench/calibration_p_pay.png`` and
``bench/calibration_p_home.png`` (matplotlib, from the ``bench`` extra).

Usage::

    .venv/bin/python -m bench.calibration_plot /tmp/calib_d7.model.json [more files]
"""

from __future__ import annotations

import argparse
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def deciles(pairs: list[tuple[float, int]]) -> list[tuple[float, float, int]]:
    """(mean predicted, observed rate, n) per decile of the prediction."""
    pairs = sorted(pairs)
    out = []
    n = len(pairs)
    for k in range(10):
        part = pairs[k * n // 10 : (k + 1) * n // 10]
        if part:
            out.append(
                (
                    sum(p for p, _ in part) / len(part),
                    sum(o for _, o in part) / len(part),
                    len(part),
                )
            )
    return out


def plot(rows: list[tuple[float, float, int]], title: str, path: str) -> None:
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, linestyle="--", label="perfect")
    ax.plot([r[0] for r in rows], [r[1] for r in rows], marker="o", label="deciles")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted")
    ax.set_ylabel("observed")
    ax.set_title(title)
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--out", default="bench/calibration")
    args = ap.parse_args()
    visits: list[list[float]] = []
    for name in args.files:
        with open(name) as f:
            visits += json.load(f)
    home = [(float(v[1]), int(v[2])) for v in visits if v[1] is not None]
    pay = [(float(v[0]), int(v[3])) for v in visits if v[3] >= 0]
    for label, pairs, key in (("P(home)", home, "p_home"), ("P(pay | home)", pay, "p_pay")):
        rows = deciles(pairs)
        print(f"\n{label}: {len(pairs)} visits")
        print("| decile | predicted | observed | visits |\n|---:|---:|---:|---:|")
        for i, (p, o, n) in enumerate(rows, start=1):
            print(f"| {i} | {p:.3f} | {o:.3f} | {n} |")
        plot(rows, f"{label}, predicted vs observed", f"{args.out}_{key}.png")


if __name__ == "__main__":
    main()
