"""Benchmark: a demo-station tile through the endpoint vs. its bare ST_AsMVT statement.

For each zoom (12-15) the tile holding the demo station's densest village is fetched
through ``GET /api/tiles/{layer}/{z}/{x}/{y}.mvt`` (Flask test client: the token check,
the scope, the tile statement with the map version for the ETag as a second column, the
response) and, interleaved with it (the order alternating run by run), the same
``ST_AsMVT`` statement (``core.maps.tiles.tile_statement``, the one the endpoint runs,
finding the tile's accounts itself) is run bare on a session (checkout, BEGIN, the
statement, ROLLBACK, as the request's session does). The bytes of both are
checked equal first. The ratio is endpoint median / bare median. Two revalidations are
timed too: ``If-None-Match`` with the current ETag (304: token check and version
query) and with a stale one (200: the version query, then the tile).
Needs a seeded database (``make demo``, the demo county); prints the machine's load.

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


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


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
        print(f"{args.runs} runs each, interleaved, medians in ms; {_load()}")
        print(
            "| layer | z/x/y | bytes | endpoint | bare ST_AsMVT | ratio "
            "| 304 | stale ETag (200) |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for layer in args.layers:
            for z in args.zooms:
                tile = _tile_of(lon, lat, z)
                url = f"/api/tiles/{layer}/{tile.z}/{tile.x}/{tile.y}.mvt"
                req = service.TileRequest(layer, tile, day)
                stmt = service.tile_statement(session, scope, req)
                session.rollback()
                first = client.get(url, headers=headers)  # warm both paths once
                assert first.status_code == 200, first.data[:200]
                bare_bytes = bytes(session.scalar(stmt, tile.params()) or b"")
                session.rollback()
                assert bare_bytes == first.data, "the endpoint and the bare statement differ"
                timed: dict[str, list[float]] = {"endpoint": [], "bare": []}
                cached: list[float] = []
                stale: list[float] = []
                answered_304 = 0
                for i in range(args.runs):
                    for which in ("endpoint", "bare") if i % 2 == 0 else ("bare", "endpoint"):
                        t = time.perf_counter()
                        if which == "endpoint":
                            resp = client.get(url, headers=headers)
                            assert resp.status_code == 200
                        else:
                            session.scalar(stmt, tile.params())
                            session.rollback()  # as the request ends its transaction
                        timed[which].append(time.perf_counter() - t)
                    # The ETag of the data now (another session's commit, e.g. a payment
                    # elsewhere in the county, may have moved the version meanwhile).
                    etag = client.get(url, headers=headers).headers["ETag"]
                    t = time.perf_counter()
                    resp = client.get(url, headers={**headers, "If-None-Match": etag})
                    cached.append(time.perf_counter() - t)
                    assert resp.status_code in (200, 304)
                    answered_304 += resp.status_code == 304
                    t = time.perf_counter()
                    resp = client.get(url, headers={**headers, "If-None-Match": '"stale"'})
                    stale.append(time.perf_counter() - t)
                    assert resp.status_code == 200
                endpoint, bare = _ms(timed["endpoint"]), _ms(timed["bare"])
                print(
                    f"| {layer} | {tile.z}/{tile.x}/{tile.y} | {len(first.data)} "
                    f"| {endpoint:.1f} | {bare:.1f} | {endpoint / bare:.2f} "
                    f"| {_ms(cached):.1f} ({answered_304}/{args.runs} 304) | {_ms(stale):.1f} |"
                )
        print(_load())
        session.close()


if __name__ == "__main__":
    main()
