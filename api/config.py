"""Configuration classes; any key can be overridden by an ``ARREARS_``-prefixed env var."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask


class Config:
    # The login of the web and worker processes: the application role (DATABASE_ROLE),
    # never the owner or a superuser (a production start refuses them: api/startup.py).
    # The demo and the tests may name the owner here: they then log in as DATABASE_ROLE on
    # the same database, with a random password kept in DATABASE_PASSWORD_FILE.
    DATABASE_URL = os.environ.get(
        "DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/arrears"
    )
    # The owner's login: `flask db ensure` (create, migrate, give the role its login), the
    # demo's seeding and ANALYZE. Empty: DATABASE_URL as configured (the demo's owner).
    DATABASE_OWNER_URL: str | None = os.environ.get("DATABASE_OWNER_URL") or None
    # The demo's and tests' password of DATABASE_ROLE; default <instance folder>/db_password.
    DATABASE_PASSWORD_FILE: str | None = None
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    # No secret in the repository: production sets ARREARS_JWT_SECRET_KEY (>= 32 bytes) or
    # refuses to start; the demo (DEMO) makes a random one in SECRET_FILE (api/startup.py).
    JWT_SECRET_KEY: str | None = None
    # The demo, asked for explicitly (ARREARS_DEMO=true, as `make run` does): its own
    # random secret, `flask demo seed` allowed, users with published passwords tolerated.
    DEMO = False
    SECRET_FILE: str | None = None  # default: <instance folder>/jwt_secret
    JWT_ACCESS_TOKEN_EXPIRES = dt.timedelta(minutes=15)
    JWT_REFRESH_TOKEN_EXPIRES = dt.timedelta(days=30)
    # A refresh token traded again within this many seconds of its first trade gets a new
    # pair instead of revoking its login (api/auth/tokens.rotate_refresh): the first answer
    # may have been lost on a weak link, or two pages traded the same cookie at once. Past
    # it, a second trade is theft and revokes the login. 0 turns the interval off.
    REFRESH_REUSE_INTERVAL_S = 60
    JWT_ALGORITHM = "HS256"
    JWT_DECODE_ALGORITHMS = ["HS256"]
    # Tokens name who issued them and for whom; a token without both is refused.
    JWT_ENCODE_ISSUER = JWT_DECODE_ISSUER = "arrears-recovery"
    JWT_ENCODE_AUDIENCE = JWT_DECODE_AUDIENCE = "arrears-recovery-api"
    # API clients send tokens as Bearer headers. Browser pages keep the access token in
    # memory and the refresh token in an httpOnly, SameSite=Strict cookie scoped to
    # /api/auth/, refreshed with a double-submit CSRF header (X-CSRF-TOKEN, whose value is
    # the readable csrf_refresh_token cookie). No access token is ever put in a cookie.
    JWT_TOKEN_LOCATION = ["headers", "cookies"]
    JWT_REFRESH_COOKIE_PATH = "/api/auth/"
    JWT_REFRESH_CSRF_COOKIE_PATH = "/"
    JWT_COOKIE_SAMESITE = "Strict"
    JWT_COOKIE_SECURE = False  # True behind TLS (ARREARS_JWT_COOKIE_SECURE=true)
    JWT_COOKIE_CSRF_PROTECT = True
    JWT_CSRF_IN_COOKIES = True
    # A persistent cookie: the collector's app survives a phone restart offline.
    JWT_SESSION_COOKIE = False
    # argon2id: ~0.2 s on this hardware; tests use a cheap profile.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024
    ARGON2_PARALLELISM = 1
    # Per process: argon2 verifications at once, and how many more may wait (for how
    # long) before a login answers 503; the other threads stay free for money and sync.
    LOGIN_CONCURRENCY = 1
    LOGIN_QUEUE = 2
    LOGIN_QUEUE_TIMEOUT_S = 2.0
    LOGIN_THROTTLE_PREFIX = "login-fail"
    # The collectors' day documents and their versions in Redis (api/route_cache.py).
    ROUTE_CACHE_PREFIX = "routedoc"
    TOKEN_CACHE_PREFIX = "tokcheck"
    # Login attempts counted before the password check (core/users/throttle.py): per
    # username in 5 minutes (a success clears it), per client address in a minute.
    LOGIN_MAX_FAILURES = 8
    LOGIN_PER_ADDRESS_PER_MINUTE = 30
    # Reverse proxies in front of the app (1 behind nginx): X-Forwarded-For/-Proto trusted
    # for that many hops. 0: the socket's peer is the client.
    PROXY_FIX_X_FOR = 0
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    STATEMENT_TIMEOUT_MS = 30_000
    # Set on the database by `flask db ensure` (docs/scaling.md, "Planner settings on SSD
    # storage"): 1.1, the usual value for SSD storage; None (env `null`) leaves the server's (4, for
    # spinning disks).
    DATABASE_RANDOM_PAGE_COST: float | None = 1.1
    # The database role requests and workers act as: it may not UPDATE, DELETE or
    # TRUNCATE the money ledger (migration 0009). Normally the login itself; a login with
    # another name acts as it with SET ROLE on every connection. Empty: the login's own.
    DATABASE_ROLE = "arrears_app"
    DEFAULT_TIMEZONE = "Asia/Shanghai"
    # Hand-recorded money (field cash/QR, counter) collected longer ago than this is
    # quarantined for review instead of being allocated as of its day (0: no window).
    PAYMENT_BACKDATE_DAYS = 7
    # Per-user limits on expensive requests (api/ratelimit.py): [requests, window seconds].
    RATE_LIMITS = {
        "plan": [20, 600],
        "replan": [6, 600],
        "import": [10, 600],
        "export": [30, 600],
    }
    RATE_LIMIT_PREFIX = "rate"
    # Plans' travel times: "auto" (the imported road network where it reaches the
    # station, else great-circle), "roads" (required) or "greatcircle".
    TRAVEL_MATRIX = "auto"

    # /api/docs and /api/openapi.json: None = on in the demo and the tests, off otherwise
    # (ARREARS_API_DOCS=true to publish them).
    API_DOCS: bool | None = None
    API_TITLE = "Arrears recovery API"
    API_VERSION = "0.1.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    # Served from the installed swagger-ui-bundle package: the docs work offline.
    OPENAPI_SWAGGER_UI_URL = "/api/docs/assets/"
    API_SPEC_OPTIONS = {
        "info": {"description": "Plans collectors' days and records money exactly once."},
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            }
        },
        "security": [{"bearerAuth": []}],
    }
    PAGINATION_MAX_PAGE_SIZE = 500
    # Origins (exact "scheme://host[:port]") whose pages may call the API from a browser;
    # none by default (api/cors.py). Env: ARREARS_CORS_ORIGINS='["https://gis.example.org"]'.
    CORS_ORIGINS: list[str] = []
    TESTING = False
    DEBUG = False


class TestConfig(Config):
    TESTING = True
    # Each test names its database in DATABASE_URL (the owner's); never another one's owner.
    DATABASE_OWNER_URL = None
    # Test runs share one Redis: each run counts its own failed logins.
    LOGIN_THROTTLE_PREFIX = f"test-login-fail-{os.getpid()}"
    ROUTE_CACHE_PREFIX = f"test-routedoc-{os.getpid()}"
    TOKEN_CACHE_PREFIX = f"test-tokcheck-{os.getpid()}"
    # Every test client logs in from 127.0.0.1: the address limit is tested on its own.
    LOGIN_PER_ADDRESS_PER_MINUTE = 100_000
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    # Cheap hashes, parallel test logins: the bounded queue is tested on its own.
    LOGIN_CONCURRENCY = 2
    LOGIN_QUEUE = 64
    # Random per process: no token signed with a secret from the repository works here.
    JWT_SECRET_KEY = secrets.token_urlsafe(48)
    # The fixtures' ledger is dated April 2026: the backdating tests set the window.
    PAYMENT_BACKDATE_DAYS = 0
    RATE_LIMIT_PREFIX = f"test-rate-{os.getpid()}"


def configure(app: Flask, config: type[Config] | None, overrides: Mapping[str, Any]) -> None:
    """Load ``app``'s config: the class, then ``ARREARS_*`` env vars, then ``overrides``."""
    app.config.from_object(config or Config)
    app.config.from_prefixed_env("ARREARS")
    app.config.update(overrides)
