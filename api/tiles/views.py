"""``/api/tiles/{layer}/{z}/{x}/{y}.mvt`` and ``/api/tiles/{layer}.json`` (TileJSON).

A tile's ETag comes from the scope's map version (:mod:`core.maps.version`), so a client
revalidating an unchanged tile gets 304 before anything is built; ``Cache-Control:
private, no-cache`` makes every client revalidate (tiles are per user and change with
payments and visits). A request without ``If-None-Match`` reads the tile and its
version in one statement: after the token check, one round trip.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, request, url_for
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import RAISE

from api.auth.jwt import current_scope
from api.db import get_session
from api.smorest import Blueprint
from api.tiles import tasks
from api.tiles.schemas import TileArgs, TileJSONSchema
from core.errors import Invalid
from core.maps import tiles as service
from core.scope import at_station
from geo.tiles import MAX_ZOOM, Tile, TileError

blp = Blueprint("tiles", __name__, url_prefix="/api/tiles", description="Vector tiles")


@blp.record_once
def _wire_celery(state: Any) -> None:
    tasks.init_beat(state.app.extensions["celery"])

MVT = "application/vnd.mapbox-vector-tile"
CACHE_CONTROL = "private, no-cache"


def _tile(layer: str, z: int, x: int, y: int) -> Tile:
    service.layer(layer)  # 404 for an unknown layer before anything else
    try:
        return Tile(z, x, y)
    except TileError as e:
        raise Invalid({"tile": [str(e)]}, location="path") from None


@blp.route("/<string(maxlength=32):layer>/<int:z>/<int:x>/<int:y>.mvt")
class VectorTile(MethodView):
    @jwt_required()
    @blp.arguments(TileArgs, location="query", unknown=RAISE)
    @blp.response(200, content_type=MVT, description="The tile (Mapbox Vector Tile 2.1)")
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    def get(self, args: dict[str, Any], layer: str, z: int, x: int, y: int) -> Any:
        """One layer's tile, scoped to the caller; 304 when the ETag still matches."""
        tile = _tile(layer, z, x, y)
        session = get_session()
        scope = at_station(session, current_scope(), args["station_id"])
        today = args["date"] or service.scope_today(
            session, scope, current_app.config["DEFAULT_TIMEZONE"]
        )
        req = service.TileRequest(layer, tile, today, args["plan"])
        if request.if_none_match:  # a revalidation: the version first, the tile if it moved
            etag = service.tile_etag(scope, req, service.tile_version(session, scope, req))
            if request.if_none_match.contains(etag):
                resp = Response(status=304)
            else:
                resp = Response(service.render(session, scope, req), status=200, mimetype=MVT)
        else:
            body, version = service.render_versioned(session, scope, req)
            etag = service.tile_etag(scope, req, version)
            resp = Response(body, status=200, mimetype=MVT)
        resp.set_etag(etag)
        resp.headers["Cache-Control"] = CACHE_CONTROL
        return resp


@blp.route("/<string(maxlength=32):layer>.json")
class LayerTileJSON(MethodView):
    @jwt_required()
    @blp.arguments(TileArgs, location="query", unknown=RAISE)
    @blp.response(200, TileJSONSchema)
    def get(self, args: dict[str, Any], layer: str) -> Any:
        """The layer's TileJSON 3.0.0: tile URL (with the same query), fields, bounds."""
        lyr = service.layer(layer)
        query = {k: str(v) for k, v in request.args.items()}
        template = url_for("tiles.VectorTile", layer=lyr.name, z=0, x=0, y=0, _external=True)
        template = template.replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")
        if query:
            template += "?" + urlencode(query)
        session = get_session()
        box = service.extent(session, at_station(session, current_scope(), args["station_id"]))
        doc: dict[str, Any] = {
            "tilejson": "3.0.0",
            "name": lyr.name,
            "description": lyr.description,
            "scheme": "xyz",
            "tiles": [template],
            "minzoom": lyr.minzoom,
            "maxzoom": min(lyr.maxzoom, MAX_ZOOM),
            "vector_layers": [
                {
                    "id": lyr.name,
                    "description": lyr.description,
                    "minzoom": lyr.minzoom,
                    "maxzoom": lyr.maxzoom,
                    "fields_": lyr.fields,
                }
            ],
        }
        if box is not None:
            doc["bounds"] = list(box)
            doc["center"] = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2, 12]
        return doc
