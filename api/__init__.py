"""The Flask application: the only package that imports Flask."""

from __future__ import annotations

from typing import Any

import redis
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api.config import Config, configure
from api.startup import configure_database_logins, configure_secret


def create_app(config: type[Config] | None = None, **overrides: Any) -> Flask:
    """Build an app: config class, then ``ARREARS_*`` env vars, then ``overrides``."""
    app = Flask(__name__)
    configure(app, config, overrides)
    configure_secret(app)
    configure_database_logins(app)
    if app.config["API_DOCS"] is None:  # the demo and the tests show them; production not
        app.config["API_DOCS"] = bool(app.config["DEMO"] or app.config["TESTING"])
    if not app.config["API_DOCS"]:
        app.config["OPENAPI_URL_PREFIX"] = None  # no /api/openapi.json, no /api/docs
    if app.config["PROXY_FIX_X_FOR"]:
        # Behind N reverse proxies: the client's address (login throttling) and scheme
        # come from their X-Forwarded-For/-Proto headers, trusting only N hops.
        hops = int(app.config["PROXY_FIX_X_FOR"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese names stay readable

    from api import cli, cors, db, errors, media, money, route_cache, security_headers
    from api.auth import jwt, token_cache
    from api.celery_app import init_celery
    from api.reminders import tasks as reminder_tasks
    from api.smorest import api
    from core.field.sms import LoggingGateway
    from core.fixed_window import FixedWindowCounter
    from core.users.passwords import HashingParams, Passwords
    from core.users.throttle import LoginThrottle, ThrottleLimits

    db.init_app(app)
    errors.init_app(app)
    media.init_app(app)
    cors.init_app(app)
    security_headers.init_app(app)
    jwt.init_app(app)
    money.init_app(app)
    app.extensions["redis"] = redis.Redis.from_url(
        app.config["REDIS_URL"], socket_timeout=1, socket_connect_timeout=1
    )
    app.extensions["passwords"] = Passwords(
        HashingParams(
            time_cost=app.config["ARGON2_TIME_COST"],
            memory_cost=app.config["ARGON2_MEMORY_COST"],
            parallelism=app.config["ARGON2_PARALLELISM"],
            max_concurrent=app.config["LOGIN_CONCURRENCY"],
            max_waiting=app.config["LOGIN_QUEUE"],
            wait_timeout_s=app.config["LOGIN_QUEUE_TIMEOUT_S"],
        )
    )
    app.extensions["rate_counter"] = FixedWindowCounter(app.extensions["redis"])
    app.extensions["login_throttle"] = LoginThrottle(
        app.extensions["redis"],
        prefix=app.config["LOGIN_THROTTLE_PREFIX"],
        limits=ThrottleLimits(
            per_username=app.config["LOGIN_MAX_FAILURES"],
            per_address=app.config["LOGIN_PER_ADDRESS_PER_MINUTE"],
        ),
    )
    route_cache.init_app(app)
    token_cache.init_app(app)
    app.extensions["sms_gateway"] = LoggingGateway()
    reminder_tasks.init_beat(init_celery(app))

    api.init_app(app)
    _register_blueprints(app, api)
    cli.init_app(app)
    return app


def _register_blueprints(app: Flask, api: Any) -> None:
    from api.accounts.views import blp as accounts
    from api.auth.views import blp as auth
    from api.bills.views import blp as bills
    from api.calendar.views import blp as calendar
    from api.calls.views import blp as calls
    from api.docs.views import blp as docs_assets
    from api.exports.views import blp as exports
    from api.health.views import blp as health
    from api.kpis.views import blp as kpis
    from api.money.group_views import blp as money_groups
    from api.money.prepaid_views import blp as money_prepaid
    from api.money.views import blp as money
    from api.my_route.views import blp as field
    from api.ogc.views import blp as ogc
    from api.pack.views import blp as pack
    from api.plan_edit.views import blp as plan_edit
    from api.plans.views import blp as plans
    from api.plans.views import jobs_blp as jobs
    from api.progress.views import blp as progress
    from api.receipts.views import blp as receipts
    from api.responsibility.views import blp as responsibility
    from api.staff.profile_views import blp as profiles
    from api.staff.views import blp as staff
    from api.stations.views import blp as stations
    from api.sync.views import blp as sync
    from api.territories.views import blp as territories
    from api.tiles.views import blp as tiles
    from api.visits.views import blp as visits
    from api.visits.views import geojson_blp as visits_geojson
    from api.web.collector_app import blp as collector_app
    from api.web.dashboard import blp as dashboard
    from api.workload.views import blp as workload

    for blp in (health, auth, accounts, territories, responsibility, workload):
        api.register_blueprint(blp)
    api.register_blueprint(money)
    api.register_blueprint(money_groups)
    api.register_blueprint(money_prepaid)
    for blp in (plans, jobs, field):
        api.register_blueprint(blp)
    api.register_blueprint(plan_edit)
    api.register_blueprint(pack)
    api.register_blueprint(visits)
    api.register_blueprint(visits_geojson)
    api.register_blueprint(calls)
    api.register_blueprint(calendar)
    api.register_blueprint(sync)
    api.register_blueprint(progress)
    api.register_blueprint(kpis)
    api.register_blueprint(exports)
    api.register_blueprint(receipts)
    api.register_blueprint(stations)
    api.register_blueprint(staff)
    api.register_blueprint(tiles)
    api.register_blueprint(profiles)
    api.register_blueprint(ogc)
    api.register_blueprint(bills)
    if app.config["API_DOCS"]:
        app.register_blueprint(docs_assets)
    app.register_blueprint(collector_app)
    app.register_blueprint(dashboard)
