"""Liveness and dependencies: database, PostGIS, pgRouting and Redis.

Anyone (the load balancer) gets the bare status, 200 or 503; the components and their
versions, which help an attacker pick exploits, only an admin's token shows."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import get_current_user, verify_jwt_in_request
from marshmallow import Schema, fields
from sqlalchemy import text

from api.smorest import Blueprint
from core.models import Role

blp = Blueprint("health", __name__, url_prefix="/api/health", description="Service health")


class ComponentSchema(Schema):
    ok = fields.Boolean()
    version = fields.String(allow_none=True)
    error = fields.String(allow_none=True)


class HealthSchema(Schema):
    status = fields.String(metadata={"enum": ["healthy", "degraded"]})
    database = fields.Nested(ComponentSchema)
    postgis = fields.Nested(ComponentSchema)
    pgrouting = fields.Nested(ComponentSchema)
    redis = fields.Nested(ComponentSchema)


def _database() -> dict[str, dict[str, Any]]:
    engine = current_app.extensions["db_engine"]
    out: dict[str, dict[str, Any]] = {}
    try:
        with engine.connect() as conn:
            out["database"] = {
                "ok": True,
                "version": conn.execute(text("SHOW server_version")).scalar(),
            }
            for name, query in (
                ("postgis", "SELECT postgis_lib_version()"),
                ("pgrouting", "SELECT pgr_version()"),
            ):
                try:
                    with conn.begin_nested():
                        out[name] = {"ok": True, "version": str(conn.execute(text(query)).scalar())}
                except Exception:
                    out[name] = {"ok": False, "error": f"{name} is not installed in the database"}
    except Exception:
        out["database"] = {"ok": False, "error": "database unreachable"}
        out["postgis"] = {"ok": False, "error": "database unreachable"}
        out["pgrouting"] = {"ok": False, "error": "database unreachable"}
    return out


def _redis() -> dict[str, Any]:
    try:
        info = current_app.extensions["redis"].info("server")
        return {"ok": True, "version": info.get("redis_version")}
    except Exception:
        return {"ok": False, "error": "redis unreachable"}


@blp.route("")
class Health(MethodView):
    @blp.doc(security=[])
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="A dependency is down")
    def get(self) -> Any:
        """Report whether the database, PostGIS, pgRouting and Redis answer (each part
        and its version for admins only)."""
        report: dict[str, Any] = {**_database(), "redis": _redis()}
        healthy = all(part["ok"] for part in report.values())
        status = "healthy" if healthy else "degraded"
        body = {"status": status, **report} if _is_admin() else {"status": status}
        return body, (200 if healthy else 503)


def _is_admin() -> bool:
    """An admin's valid token came with the request (a bad or absent one: no details)."""
    try:
        verify_jwt_in_request(optional=True)
        user = get_current_user()
    except Exception:  # any token problem just means the bare answer
        return False
    return user is not None and user.role is Role.ADMIN
