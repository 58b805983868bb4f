"""Web pages are served from their folder: sources and the listed libraries, nothing else."""

from __future__ import annotations

import pytest
from flask import Flask

from api.web.pages import page_blueprint


@pytest.fixture
def page_client(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>页</title>", encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.js").write_text("export const x = 1;\n")
    (tmp_path / "package.json").write_text("{}")
    lib = tmp_path / "node_modules" / "somelib" / "dist"
    lib.mkdir(parents=True)
    (lib / "somelib.js").write_text("/* lib */")
    (tmp_path / "node_modules" / "other").mkdir()
    (tmp_path / "node_modules" / "other" / "x.js").write_text("/* other */")
    app = Flask(__name__)
    bp = page_blueprint("demo", "/demo", vendor={"somelib": "somelib/dist"}, root=tmp_path)
    app.register_blueprint(bp)
    client = app.test_client()

    def get(path: str):
        """Status, headers and text of a GET (the file response closed at once)."""
        with client.get(path) as resp:
            return resp.status_code, resp.headers, resp.get_data(as_text=True)

    return get


def test_the_page_and_its_sources_are_served_and_revalidated(page_client):
    """index.html at the prefix, sources below it, each revalidated on every load."""
    status, headers, text = page_client("/demo/")
    assert status == 200 and "页" in text and headers["Cache-Control"] == "no-cache"
    status, headers, _ = page_client("/demo/src/main.js")
    assert status == 200 and "javascript" in headers["Content-Type"]


def test_only_listed_libraries_are_served(page_client):
    """vendor/<lib>/ serves a listed library; other packages and node_modules itself 404."""
    assert page_client("/demo/vendor/somelib/somelib.js")[0] == 200
    assert page_client("/demo/vendor/other/x.js")[0] == 404
    assert page_client("/demo/node_modules/other/x.js")[0] == 404
    assert page_client("/demo/package.json")[0] == 404


def test_paths_cannot_leave_the_page_folder(page_client):
    """A path climbing out of the folder is refused."""
    assert page_client("/demo/../../etc/passwd")[0] == 404
    assert page_client("/demo/vendor/somelib/../../other/x.js")[0] == 404
