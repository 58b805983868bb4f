"""Benchmark: current workload spread per station vs. the balanced-territory proposal.

Read-only. For each station of the demo county, K = number of collectors with
accounts; prints max/min estimated visit hours today and for the proposal.

    .venv/bin/python bench/balance_territories.py \
        --url postgresql+psycopg://postgres@127.0.0.1:5432/arrears_dev
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from core.accounts.workload import Proposal, _rows, propose_territories, workloads  # noqa: E402
from core.models import Role, Station  # noqa: E402
from core.scope import Scope  # noqa: E402
from geo.workload import arrears_weights, footprint, visit_hours  # noqa: E402


def _hull_hours(session: Session, scope: Scope, station_id: int, proposal: Proposal) -> list[float]:
    """The proposal re-estimated exactly like the current workload (convex hull, not box)."""
    rows = {r.account_id: r for r in _rows(session, scope, station_id, None)}
    weights = dict(
        zip(rows, arrears_weights([float(r.arrears) for r in rows.values()]), strict=True)
    )
    out = []
    for t in proposal.territories:
        shape = footprint([(rows[i].lon, rows[i].lat) for i in t.account_ids])
        out.append(
            visit_hours(sum(weights[i] for i in t.account_ids), len(t.account_ids), shape.area_km2)
        )
    return out


def run(url: str) -> None:
    admin = Scope(0, Role.ADMIN, frozenset())
    with Session(create_engine(url)) as session:
        for station in session.scalars(select(Station).order_by(Station.id)):
            current = [
                w
                for w in workloads(session, admin, station.id, None)
                if w.collector_id and w.delinquent
            ]
            if not current:
                continue
            hours = [w.visit_hours for w in current]
            due = sum(w.delinquent for w in current)
            t0 = time.perf_counter()
            proposal = propose_territories(session, admin, station.id, len(current), None)
            elapsed = time.perf_counter() - t0
            new = [t.hours for t in proposal.territories]
            hull = _hull_hours(session, admin, station.id, proposal)
            print(
                f"{station.code}: {due} delinquent accounts, K={len(current)}\n"
                f"  current  hours min {min(hours):7.1f} max {max(hours):7.1f}"
                f" max/min {max(hours) / min(hours):5.2f}\n"
                f"  proposal hours min {min(new):7.1f} max {max(new):7.1f}"
                f" max/min {max(new) / min(new):5.2f}"
                f"  ({elapsed:.2f} s)"
            )
            print(
                f"  proposal, hull-based like 'current': min {min(hull):7.1f} max {max(hull):7.1f}"
                f" max/min {max(hull) / min(hull):5.2f}"
            )
            spread = [w.spread_km for w in current]
            print(f"  current spread km min {min(spread):.1f} max {max(spread):.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/arrears_dev")
    run(parser.parse_args().url)
