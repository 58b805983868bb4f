"""Serve the app over HTTP for browser tests: test settings, the database in DATABASE_URL.

``python -m tests.support.serve --port 5123`` (run by the ``live_server`` fixture).
"""

from __future__ import annotations

import argparse
import os

from werkzeug.serving import make_server

from api import create_app
from api.config import TestConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = create_app(TestConfig, DATABASE_URL=os.environ["DATABASE_URL"])
    make_server("127.0.0.1", args.port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    main()
