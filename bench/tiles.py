"""Benchmark: a demo-station tile through the endpoint vs. its bare ST_AsMVT statement.

For each zoom (12-15) the tile holding the demo station's densest village is fetched
through ``GET /api/tiles/{layer}/{z}/{x}/{y}.mvt`` (Flask test client: auth, scope, the
map version for the ETag, the account ids of the tile, the MVT statement, the response)
and, interleaved with it, the same ``ST_AsMVT`` statement is run bare on a session. The
ratio is endpoint median / bare median. A third column times the layer's database work
alone (the lookup of the tile's account ids, then the statement), and a revalidation
with ``If-None-Match`` (304) is timed. Needs a seeded database (``make db``, the demo county).

    nice -n 10 .venv/bin/python -m bench.tiles [--runs 15] [--layers accounts villages]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from api import create_app  # noqa: E402
from core.maps import tiles as service  # noqa: E402
from core.models import Account, Station, User  # noqa: E402
from core.scope import Scope  # noqa: E402
from demo.generator import DEMO_PASSWORDS  # noqa: E402
from geo.tiles import Tile  # noqa: E402

STATION = "景村供电所"


def _tile_of(lon: float, lat: float, z: int) -> Tile:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return Tile(z, x, y)


def _ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--zooms", type=int, nargs="+", default=[12, 13, 14, 15])
    parser.add_argument("--layers", nargs="+", default=["accounts"])
    args = parser.parse_args()

    os.environ.setdefault("ARREARS_DEMO", "true")  # the demo county's own secret
    app = create_app()
    client = app.test_client()
    login = client.post(
        "/api/auth/login",
        json={"username": "supervisor", "password": DEMO_PASSWORDS["supervisor"]},
    )
    assert login.status_code == 200, login.json
    headers = {"Authorization": f"Bearer {login.json['access_token']}"}
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        station = session.scalars(select(Station).where(Station.name == STATION)).one()
        user = session.scalars(select(User).where(User.username == "supervisor")).one()
        scope = Scope(user.id, user.role, frozenset({station.id}))
        # The densest village: where a dashboard user looks first.
        village, lon, lat = session.execute(
            select(
                Account.village,
                func.ST_X(func.ST_Centroid(func.ST_Collect(Account.location))),
                func.ST_Y(func.ST_Centroid(func.ST_Collect(Account.location))),
            )
            .where(Account.station_id == station.id)
            .group_by(Account.village)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        day = service.scope_today(session, scope, app.config["DEFAULT_TIMEZONE"])
        print(f"{STATION}, tiles holding {village} ({lon:.4f}, {lat:.4f}), day {day}")
        print(f"{args.runs} runs each, interleaved, medians in ms")
        print(
            "| layer | z/x/y | bytes | endpoint | bare ST_AsMVT | ratio "
            "| bare ids + ST_AsMVT | ratio | 304 |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for layer in args.layers:
            for z in args.zooms:
                tile = _tile_of(lon, lat, z)
                url = f"/api/tiles/{layer}/{tile.z}/{tile.x}/{tile.y}.mvt"
                req = service.TileRequest(layer, tile, day)
                stmt = service.tile_statement(session, scope, req)
                session.rollback()
                first = client.get(url, headers=headers)  # warm both paths once
                assert first.status_code == 200, first.data[:200]
                bare_bytes = bytes(session.scalar(stmt) or b"")
                session.rollback()
                assert bare_bytes == first.data, "the endpoint and the bare statement differ"
                etag = first.headers["ETag"]
                endpoint, bare, whole, cached = [], [], [], []
                for _ in range(args.runs):
                    t = time.perf_counter()
                    resp = client.get(url, headers=headers)
                    endpoint.append(time.perf_counter() - t)
                    assert resp.status_code == 200
                    t = time.perf_counter()
                    session.scalar(stmt)
                    bare.append(time.perf_counter() - t)
                    session.rollback()
                    # The database work alone: the layer's lookups (the tile's account
                    # ids) and the statement, as the endpoint does them.
                    t = time.perf_counter()
                    session.scalar(service.tile_statement(session, scope, req))
                    whole.append(time.perf_counter() - t)
                    session.rollback()
                    t = time.perf_counter()
                    resp = client.get(url, headers={**headers, "If-None-Match": etag})
                    cached.append(time.perf_counter() - t)
                    assert resp.status_code == 304
                print(
                    f"| {layer} | {tile.z}/{tile.x}/{tile.y} | {len(first.data)} "
                    f"| {_ms(endpoint):.1f} | {_ms(bare):.1f} | {_ms(endpoint) / _ms(bare):.2f} "
                    f"| {_ms(whole):.1f} | {_ms(endpoint) / _ms(whole):.2f} | {_ms(cached):.1f} |"
                )
        session.close()


if __name__ == "__main__":
    main()
