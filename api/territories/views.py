"""Territories: list (JSON/GeoJSON), read, create, redraw, re-staff, delete."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import RAISE
from sqlalchemy import select

from api.accounts.schemas import FeatureCollectionSchema
from api.auth.jwt import current_scope
from api.db import get_session
from api.pagination import keyset_page
from api.smorest import Blueprint
from api.territories.schemas import (
    TerritoryCreate,
    TerritoryListArgs,
    TerritoryPatch,
    TerritoryPreviewSchema,
    TerritorySchema,
    territory_feature,
)
from core.accounts import territories as service
from core.accounts.areas import overlaps
from core.accounts.territory_preview import preview_territory_edit
from core.models import Territory
from core.scope import restrict

blp = Blueprint("territories", __name__, url_prefix="/api", description="Territories")


def _with_overlaps(territory: Territory) -> Territory:
    territory.overlaps = overlaps(get_session(), territory)  # type: ignore[attr-defined]
    return territory


def _listed(args: dict[str, Any]) -> list[Territory]:
    stmt = restrict(select(Territory), Territory, current_scope())
    if "station_id" in args:
        stmt = stmt.where(Territory.station_id == args["station_id"])
    return keyset_page(get_session(), stmt, Territory.id, args)


@blp.route("/territories")
class Territories(MethodView):
    @jwt_required()
    @blp.arguments(TerritoryListArgs, location="query", unknown=RAISE)
    @blp.response(200, TerritorySchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """List the territories in scope, by id, one keyset page at a time."""
        return _listed(args)

    @jwt_required()
    @blp.arguments(TerritoryCreate)
    @blp.response(201, TerritorySchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a territory from GeoJSON; reports overlaps with the station's others."""
        session = get_session()
        territory = service.create_territory(session, current_scope(), body)
        session.commit()
        return _with_overlaps(territory)


@blp.route("/territories.geojson")
class TerritoriesGeoJSON(MethodView):
    @jwt_required()
    @blp.arguments(TerritoryListArgs, location="query", unknown=RAISE)
    @blp.response(200, FeatureCollectionSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The territories in scope as a GeoJSON FeatureCollection."""
        return {
            "type": "FeatureCollection",
            "features": [territory_feature(t) for t in _listed(args)],
        }


@blp.route("/territories/<int:territory_id>")
class TerritoryById(MethodView):
    @jwt_required()
    @blp.etag
    @blp.response(200, TerritorySchema)
    def get(self, territory_id: int) -> Any:
        """One territory with its overlaps (404 outside the caller's scope)."""
        return _with_overlaps(service.get_territory(get_session(), current_scope(), territory_id))

    @jwt_required()
    @blp.etag
    @blp.arguments(TerritoryPatch)
    @blp.response(200, TerritorySchema)
    def patch(self, body: dict[str, Any], territory_id: int) -> Any:
        """Rename, redraw or re-staff a territory; send the ETag in If-Match."""
        session = get_session()
        scope = current_scope()
        territory = service.get_territory(session, scope, territory_id)
        blp.check_etag(_with_overlaps(territory), TerritorySchema)
        service.update_territory(session, scope, territory, body)
        session.commit()
        return _with_overlaps(territory)

    @jwt_required()
    @blp.etag
    @blp.response(204)
    def delete(self, territory_id: int) -> None:
        """Delete a territory; its accounts fall to another covering territory or none."""
        session = get_session()
        scope = current_scope()
        territory = service.get_territory(session, scope, territory_id)
        blp.check_etag(_with_overlaps(territory), TerritorySchema)
        service.delete_territory(session, scope, territory)
        session.commit()


@blp.route("/territories/<int:territory_id>/preview")
class TerritoryPreview(MethodView):
    @jwt_required()
    @blp.arguments(TerritoryPatch)
    @blp.response(200, TerritoryPreviewSchema)
    def post(self, body: dict[str, Any], territory_id: int) -> Any:
        """Dry run of a territory edit (the PATCH body): the overlaps it would have and the
        accounts that would change territory, with the collectors before and after.
        Nothing is saved."""
        session = get_session()
        scope = current_scope()
        territory = service.get_territory(session, scope, territory_id)
        found = preview_territory_edit(session, scope, territory, body)
        return asdict(found)
