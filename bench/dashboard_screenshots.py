"""Screenshots of the supervisor's page for docs/dashboard/ (today's routes, KPIs, plan
review, territory edit), taken in Debian's chromium against a running server with a published
plan for today (e.g. `make run`, which plans and publishes the day).

    python -m bench.dashboard_screenshots --url http://127.0.0.1:5000 --out docs/dashboard
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.support.live import CHROMIUM, CHROMIUM_ARGS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--out", type=Path, default=Path("docs/dashboard"))
    parser.add_argument("--user", default="supervisor")
    parser.add_argument("--password", default="supervisor-demo")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(
            locale="zh-CN", viewport={"width": 1400, "height": 860}
        ).new_page()
        page.goto(f"{args.url}/dashboard/")
        page.fill("#login [name=username]", args.user)
        page.fill("#login [name=password]", args.password)
        page.click("#login button[type=submit]")
        page.wait_for_selector("body[data-ready=map]", timeout=60_000)
        page.wait_for_selector("#today .progress-row", timeout=30_000)
        page.wait_for_timeout(2000)  # the day's tiles
        page.screenshot(path=args.out / "today.png")

        # The KPIs beside the map: the side panel scrolled to them, full height.
        page.wait_for_selector("#kpis table.ageing", timeout=30_000)
        page.eval_on_selector("#kpis", "el => el.scrollIntoView()")
        page.wait_for_timeout(300)
        page.locator("#side").screenshot(path=args.out / "kpis.png")

        page.click("#tabs button[data-mode=review]")
        page.wait_for_selector("#review-body[data-plan-id]", timeout=30_000)
        first = page.locator("#review details.route").first
        first.locator("summary").click()
        first.locator("select.move").first.select_option("out")
        page.wait_for_selector("#check[data-checks='1']", timeout=60_000)
        page.wait_for_timeout(500)
        page.screenshot(path=args.out / "plan_review.png")

        page.click("#tabs button[data-mode=territory]")
        page.select_option("#territory-select", index=1)
        page.wait_for_function("() => window.dashboard.territoryEdit.area() !== null")
        # The whole territory in view.
        page.evaluate(
            """() => {
                const map = window.dashboard.map;
                const coords = window.dashboard.territoryEdit.area().coordinates.flat(2);
                const lons = coords.map((c) => c[0]), lats = coords.map((c) => c[1]);
                const sw = [Math.min(...lons), Math.min(...lats)];
                const ne = [Math.max(...lons), Math.max(...lats)];
                map.fitBounds([sw, ne], {padding: 120, duration: 0});
            }"""
        )
        page.wait_for_timeout(1500)  # the tiles of the new view
        # The vertex nearest to another territory's account is dragged past it: the
        # preview then shows an overlap and accounts changing hands.
        drag = page.evaluate(
            """() => {
                const map = window.dashboard.map;
                const box = map.getContainer().getBoundingClientRect();
                const px = (c) => {
                    const p = map.project(c);
                    return [box.left + p.x, box.top + p.y];
                };
                const tid = Number(document.querySelector('#territory-select').value);
                const ring = window.dashboard.territoryEdit.area().coordinates
                    .reduce((a, b) => (b[0].length > a[0].length ? b : a))[0].slice(0, -1).map(px);
                const others = map.querySourceFeatures('accounts')
                    .filter((f) => f.properties.territory_id !== tid)
                    .map((f) => px(f.geometry.coordinates));
                let best = null;
                for (const v of ring) for (const a of others) {
                    const d = Math.hypot(a[0] - v[0], a[1] - v[1]);
                    if (d > 15 && (!best || d < best.d)) best = {d, v, a};
                }
                return best && [best.v, best.a];
            }"""
        )
        (x, y), (ax, ay) = drag
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(ax + (ax - x) * 0.4, ay + (ay - y) * 0.4, steps=10)
        page.mouse.up()
        page.wait_for_selector("#territory-report[data-previews='1']", timeout=30_000)
        page.wait_for_timeout(500)
        page.screenshot(path=args.out / "territory_edit.png")
        browser.close()
    print(f"screenshots in {args.out}: today.png, kpis.png, plan_review.png, territory_edit.png")


if __name__ == "__main__":
    main()
