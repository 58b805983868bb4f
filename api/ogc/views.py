"""OGC API - Features Part 1 at ``/api/ogc``: landing page, conformance, collections,
items (bbox, datetime, limit/offset with next links) and one item, as JSON/GeoJSON.

The same bearer token and scoping as the rest of the API: a supervisor reads their
station, a collector their own accounts, visits and routes. Invalid or unknown query
parameters answer 400 problem+json, as OGC API - Features Part 1 requires (requirement
/req/core/query-param-invalid); the rest of the API answers 422 for invalid input.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, json, request, url_for
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import RAISE

from api.auth.jwt import current_scope
from api.db import get_session
from api.ogc.schemas import FormatArgs, ItemArgs, ItemsArgs, parse_bbox, parse_datetime
from api.smorest import Blueprint
from core.maps import features as service
from core.maps.tiles import scope_today

blp = Blueprint("ogc", __name__, url_prefix="/api/ogc", description="OGC API - Features")

GEOJSON = "application/geo+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]


def _json(doc: dict[str, Any], mimetype: str = "application/json") -> Response:
    return Response(json.dumps(doc), status=200, mimetype=mimetype)


def _url(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def _link(href: str, rel: str, type_: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": type_, "title": title}


def _collection_doc(name: str) -> dict[str, Any]:
    c = service.collection(name)
    items = _url("ogc.Items", collection_id=c.id)
    doc: dict[str, Any] = {
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            _link(
                _url("ogc.CollectionById", collection_id=c.id), "self", "application/json", c.title
            ),
            _link(items, "items", GEOJSON, f"{c.title} (GeoJSON)"),
        ],
    }
    box = service.extent(get_session(), current_scope(), c.id)
    if box is not None:
        doc["extent"] = {"spatial": {"bbox": [list(box)], "crs": CRS84}}
    return doc


def _day(args: dict[str, Any]) -> dt.date:
    return args.get("date") or scope_today(
        get_session(), current_scope(), current_app.config["DEFAULT_TIMEZONE"]
    )


@blp.route("")
class Landing(MethodView):
    @jwt_required()
    @blp.arguments(FormatArgs, location="query", unknown=RAISE, error_status_code=400)
    @blp.response(200, description="Landing page")
    def get(self, _args: dict[str, Any]) -> Any:
        """Landing page: links to the API definition, the conformance and the collections."""
        return _json(
            {
                "title": "Arrears recovery: OGC API - Features",
                "description": "Accounts, territories, villages, visits and routes in scope.",
                "links": [
                    _link(_url("ogc.Landing"), "self", "application/json", "This document"),
                    _link(
                        url_for("api-docs.openapi_json", _external=True),
                        "service-desc",
                        "application/vnd.oai.openapi+json;version=3.0",
                        "The API definition",
                    ),
                    _link(
                        _url("ogc.Conformance"), "conformance", "application/json", "Conformance"
                    ),
                    _link(_url("ogc.Collections"), "data", "application/json", "Collections"),
                ],
            }
        )


@blp.route("/conformance")
class Conformance(MethodView):
    @jwt_required()
    @blp.arguments(FormatArgs, location="query", unknown=RAISE, error_status_code=400)
    @blp.response(200, description="Conformance classes")
    def get(self, _args: dict[str, Any]) -> Any:
        """The conformance classes: Core, GeoJSON, OpenAPI 3.0."""
        return _json({"conformsTo": CONFORMANCE})


@blp.route("/collections")
class Collections(MethodView):
    @jwt_required()
    @blp.arguments(FormatArgs, location="query", unknown=RAISE, error_status_code=400)
    @blp.response(200, description="Collections")
    def get(self, _args: dict[str, Any]) -> Any:
        """The feature collections, each with its extent in scope."""
        return _json(
            {
                "links": [
                    _link(_url("ogc.Collections"), "self", "application/json", "Collections")
                ],
                "collections": [_collection_doc(name) for name in service.COLLECTIONS],
            }
        )


@blp.route("/collections/<string(maxlength=32):collection_id>")
class CollectionById(MethodView):
    @jwt_required()
    @blp.arguments(FormatArgs, location="query", unknown=RAISE, error_status_code=400)
    @blp.response(200, description="A collection")
    def get(self, _args: dict[str, Any], collection_id: str) -> Any:
        """One collection's description."""
        return _json(_collection_doc(collection_id))


@blp.route("/collections/<string(maxlength=32):collection_id>/items")
class Items(MethodView):
    @jwt_required()
    @blp.arguments(ItemsArgs, location="query", unknown=RAISE, error_status_code=400)
    @blp.response(200, content_type=GEOJSON, description="A page of features (GeoJSON)")
    def get(self, args: dict[str, Any], collection_id: str) -> Any:
        """A page of the collection's features in scope, with next/prev links."""
        c = service.collection(collection_id)
        q = service.Query(
            bbox=parse_bbox(args["bbox"]) if args["bbox"] else None,
            interval=parse_datetime(args["datetime"]) if args["datetime"] else None,
            limit=args["limit"],
            offset=args["offset"],
            day=_day(args) if c.id == "accounts" else None,
        )
        feats, matched = service.items(get_session(), current_scope(), c.id, q)
        base = _url("ogc.Items", collection_id=c.id)
        kept = {k: v for k, v in request.args.items() if k not in ("offset",)}

        def page(offset: int) -> str:
            return base + "?" + urlencode({**kept, "offset": offset})

        links = [
            _link(page(q.offset), "self", GEOJSON, "This page"),
            _link(
                _url("ogc.CollectionById", collection_id=c.id),
                "collection",
                "application/json",
                c.title,
            ),
        ]
        if q.offset + len(feats) < matched:
            links.append(_link(page(q.offset + len(feats)), "next", GEOJSON, "Next page"))
        if q.offset > 0:
            links.append(_link(page(max(q.offset - q.limit, 0)), "prev", GEOJSON, "Previous page"))
        return _json(
            {
                "type": "FeatureCollection",
                "features": feats,
                "numberMatched": matched,
                "numberReturned": len(feats),
                "timeStamp": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
                "links": links,
            },
            GEOJSON,
        )


@blp.route("/collections/<string(maxlength=32):collection_id>/items/<string(maxlength=200):fid>")
class Item(MethodView):
    @jwt_required()
    @blp.arguments(ItemArgs, location="query", unknown=RAISE, error_status_code=400)
    @blp.response(200, content_type=GEOJSON, description="One feature (GeoJSON)")
    def get(self, args: dict[str, Any], collection_id: str, fid: str) -> Any:
        """One feature by id (404 when missing or outside the caller's scope)."""
        c = service.collection(collection_id)
        q = service.Query(day=_day(args) if c.id == "accounts" else None)
        feature = service.item(get_session(), current_scope(), c.id, fid, q)
        feature["links"] = [
            _link(_url("ogc.Item", collection_id=c.id, fid=fid), "self", GEOJSON, "This feature"),
            _link(
                _url("ogc.CollectionById", collection_id=c.id),
                "collection",
                "application/json",
                c.title,
            ),
        ]
        return _json(feature, GEOJSON)
