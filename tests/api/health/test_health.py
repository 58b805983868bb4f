"""GET /api/health reports the database, PostGIS, pgRouting and Redis."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from api import create_app
from api.config import TestConfig
from core.models import Role
from tests.conftest import TEST_DATABASE_URL
from tests.factories import Factory


def test_health_reports_every_dependency(client, factory):
    """With everything up, health answers 200 healthy with versions (to an admin)."""
    resp = client.get("/api/health", headers=factory.token(factory.user(Role.ADMIN), client))
    assert resp.status_code == 200
    body = resp.json
    assert body["status"] == "healthy"
    assert body["postgis"]["ok"] and body["postgis"]["version"].startswith("3.")
    assert body["pgrouting"]["ok"] and body["redis"]["ok"] and body["database"]["ok"]


def test_health_is_degraded_when_redis_is_down(engine, connection, session):
    """With Redis unreachable, health answers 503 (bare) and names Redis to an admin."""
    app = create_app(TestConfig, DATABASE_URL=TEST_DATABASE_URL, REDIS_URL="redis://127.0.0.1:1/0")
    app.extensions["db_sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        c = app.test_client()
        factory = Factory(session, app)
        bare = c.get("/api/health")
        resp = c.get("/api/health", headers=factory.token(factory.user(Role.ADMIN), c))
    finally:
        app.extensions["db_engine"].dispose()
    assert bare.status_code == 503 and bare.json == {"status": "degraded"}
    assert resp.status_code == 503
    assert resp.json["status"] == "degraded" and resp.json["redis"]["ok"] is False
    assert resp.json["database"]["ok"] is True


def test_openapi_and_offline_docs_are_served(client):
    """The OpenAPI document and the docs UI with its local assets are served (no CDN)."""
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200 and spec.json["openapi"].startswith("3.")
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/docs/assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    asset = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
    asset.close()


def test_openapi_documents_errors_as_problem_json(client):
    """Error responses in the OpenAPI document are application/problem+json."""
    responses = client.get("/api/openapi.json").json["components"]["responses"]
    assert "application/problem+json" in responses["UNPROCESSABLE_ENTITY"]["content"]
