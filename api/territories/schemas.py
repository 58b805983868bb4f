"""Territory schemas: GeoJSON geometry in, GeoJSON out; unknown fields refused."""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import to_shape
from marshmallow import Schema, fields, validate
from shapely.geometry import mapping

from api.accounts.schemas import Id
from api.pagination import KeysetArgs
from api.schema_fields import Text
from geo.coords import CoordSystem

MAX_COLLECTORS = 50


def geometry_json(area: Any) -> dict[str, Any]:
    """A stored geometry as a plain GeoJSON dict ([lon, lat], lists not tuples)."""

    def lists(x: Any) -> Any:
        return [lists(v) for v in x] if isinstance(x, (list, tuple)) else x

    geo = mapping(to_shape(area))
    return {"type": geo["type"], "coordinates": lists(geo["coordinates"])}


class OverlapSchema(Schema):
    territory_id = fields.Integer()
    name = fields.String()
    area_m2 = fields.Float()


class TerritorySchema(Schema):
    id = fields.Integer(dump_only=True)
    station_id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    collector_ids = fields.Method("_collector_ids", dump_only=True)
    area = fields.Method("_area", dump_only=True, metadata={"description": "GeoJSON MultiPolygon"})
    overlaps = fields.List(
        fields.Nested(OverlapSchema),
        dump_only=True,
        metadata={"description": "Other territories of the station sharing area with this one"},
    )

    def _collector_ids(self, t: Any) -> list[int]:
        return sorted(u.id for u in t.collectors)

    def _area(self, t: Any) -> dict[str, Any]:
        return geometry_json(t.area)


_AREA_DOC = {
    "description": "GeoJSON Polygon or MultiPolygon (RFC 7946, [lon, lat]; no 'crs' member)"
}
_SYSTEM = {"description": "Coordinate system of the area's positions (default wgs84)"}


class TerritoryCreate(Schema):
    station_id = Id(load_default=None)
    name = Text(required=True, max_length=100, validate=validate.Length(min=1))
    area = fields.Dict(required=True, metadata=_AREA_DOC)
    system = fields.Enum(
        CoordSystem, by_value=True, load_default=CoordSystem.WGS84, metadata=_SYSTEM
    )
    collector_ids = fields.List(
        Id(), load_default=list, validate=validate.Length(max=MAX_COLLECTORS)
    )


class TerritoryPatch(Schema):
    name = Text(max_length=100, validate=validate.Length(min=1))
    area = fields.Dict(metadata=_AREA_DOC)
    system = fields.Enum(CoordSystem, by_value=True, metadata=_SYSTEM)
    collector_ids = fields.List(Id(), validate=validate.Length(max=MAX_COLLECTORS))


class TerritoryListArgs(KeysetArgs):
    station_id = Id()


def territory_feature(t: Any) -> dict[str, Any]:
    data = TerritorySchema(exclude=("area",)).dump(t)
    return {"type": "Feature", "id": t.id, "geometry": geometry_json(t.area), "properties": data}


class HandOverSchema(Schema):
    account_id = fields.Integer()
    number = fields.String()
    name = fields.String()
    from_territory_id = fields.Integer(allow_none=True)
    to_territory_id = fields.Integer(allow_none=True)
    from_collector_ids = fields.List(fields.Integer())
    to_collector_ids = fields.List(fields.Integer())


class TerritoryPreviewSchema(Schema):
    overlaps = fields.List(fields.Nested(OverlapSchema))
    changes = fields.List(
        fields.Nested(HandOverSchema),
        metadata={"description": "Accounts whose covering territory the edit changes"},
    )
