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
        points = page.evaluate(
            """() => {
                const map = window.dashboard.map;
                const box = map.getContainer().getBoundingClientRect();
                const polys = window.dashboard.territoryEdit.area().coordinates;
                const ring = polys.reduce((a, b) => (b[0].length > a[0].length ? b : a))[0];
                return ring.slice(0, -1).map((c) => {
                    const p = map.project(c);
                    return [box.left + p.x, box.top + p.y];
                });
            }"""
        )
        cx = sum(p[0] for p in points) / len(points)
        cy = sum(p[1] for p in points) / len(points)
        x, y = max(points, key=lambda p: (p[0] - cx) ** 2 + (p[1] - cy) ** 2)
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + (cx - x) * 0.35, y + (cy - y) * 0.35, steps=10)
        page.mouse.up()
        page.wait_for_selector("#territory-report[data-previews='1']", timeout=30_000)
        page.wait_for_timeout(500)
        page.screenshot(path=args.out / "territory_edit.png")
        browser.close()
    print(f"screenshots in {args.out}: today.png, kpis.png, plan_review.png, territory_edit.png")


if __name__ == "__main__":
    main()
