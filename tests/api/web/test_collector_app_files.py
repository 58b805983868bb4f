"""The collector's app keeps every file it needs offline: the service worker's list is whole."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[3] / "web" / "app"


def _shell() -> set[str]:
    text = (APP / "sw.js").read_text(encoding="utf-8")
    block = text.split("const SHELL = [", 1)[1].split("];", 1)[0]
    return set(re.findall(r"'([^']+)'", block))


def test_the_service_worker_caches_every_source_of_the_app():
    """Each module, the page, its style, manifest and icon are in the offline cache list."""
    own = {p.relative_to(APP).as_posix() for p in (APP / "src").rglob("*.js")}
    own |= {"index.html", "style.css", "manifest.json", "icon.svg"}
    assert own <= _shell()
    assert not {p for p in _shell() if not p.startswith(("vendor/", "./"))} - own


def test_the_page_links_only_what_the_app_serves():
    """index.html loads the manifest, the styles and main.js from the app's own folder."""
    html = (APP / "index.html").read_text(encoding="utf-8")
    for ref in re.findall(r'(?:href|src)="([^"]+)"', html):
        assert not ref.startswith(("http:", "https:", "//")), ref
        if not ref.startswith("vendor/"):
            assert (APP / ref).is_file(), ref
