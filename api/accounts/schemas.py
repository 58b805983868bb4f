"""Account schemas: input rejects unknown fields; server-owned fields are dump-only."""

from __future__ import annotations

import math
from typing import Any

from flask_smorest.fields import Upload
from geoalchemy2.shape import to_shape
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.pagination import KeysetArgs
from api.schema_fields import LOCATION_QUALITY_DOC, Day, Latitude, Longitude, Money, Text
from core.accounts.customers import AccountSort
from core.accounts.import_rows import ImportMode
from core.models import Category
from geo.coords import CoordSystem

MAX_RADIUS_M = 100_000
#: Largest value of a PostgreSQL ``integer`` key; larger ids would be a database error.
MAX_ID = 2**31 - 1


class Id(fields.Integer):
    """A row id: a positive PostgreSQL ``integer`` (bigger numbers are refused, not a 500)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class PointSchema(Schema):
    lon = fields.Float(dump_only=True)
    lat = fields.Float(dump_only=True)


class LocationIn(Schema):
    """A point with its declared coordinate system; stored as WGS-84."""

    lon = Longitude(required=True)
    lat = Latitude(required=True)
    system = fields.Enum(
        CoordSystem,
        by_value=True,
        required=True,
        metadata={"description": "wgs84 (GPS), gcj02 (AMap/Tencent/WeChat) or bd09 (Baidu)"},
    )


class AccountSchema(Schema):
    id = fields.Integer(dump_only=True)
    station_id = fields.Integer(dump_only=True)
    number = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    address = fields.String(dump_only=True)
    phone = fields.String(dump_only=True, allow_none=True)
    village = fields.String(dump_only=True)
    category = fields.String(dump_only=True)
    group_code = fields.String(dump_only=True, allow_none=True)
    notes = fields.String(dump_only=True, allow_none=True)
    territory_id = fields.Integer(dump_only=True, allow_none=True)
    responsible_id = fields.Integer(dump_only=True, allow_none=True)
    location = fields.Method("_location", dump_only=True)
    location_quality = fields.String(
        dump_only=True,
        metadata={"enum": ["exact", "approximate"], "description": LOCATION_QUALITY_DOC},
    )
    arrears = Money(dump_only=True, allow_none=True)
    oldest_due = Day(dump_only=True, allow_none=True)
    days_overdue = fields.Integer(
        dump_only=True, metadata={"description": "Days since oldest_due (0: owes nothing)"}
    )
    distance_m = fields.Float(
        dump_only=True, allow_none=True, metadata={"description": "From near_lon/near_lat"}
    )

    def _location(self, account: Any) -> dict[str, float]:
        point = to_shape(account.location)
        return {"lon": point.x, "lat": point.y}


class AccountCreate(Schema):
    station_id = Id(
        load_default=None, metadata={"description": "Optional when the caller has one station"}
    )
    number = Text(required=True, max_length=32, validate=validate.Length(min=1))
    name = Text(required=True, max_length=100, validate=validate.Length(min=1))
    address = Text(required=True, max_length=200, validate=validate.Length(min=1))
    phone = Text(load_default=None, allow_none=True, max_length=32)
    village = Text(required=True, max_length=100, validate=validate.Length(min=1))
    category = fields.Enum(Category, by_value=True, required=True)
    group_code = Text(load_default=None, allow_none=True, max_length=32)
    notes = Text(load_default=None, allow_none=True, max_length=2000)
    location = fields.Nested(LocationIn, required=True)
    responsible_id = Id(load_default=None, allow_none=True)


class AccountPatch(Schema):
    number = Text(max_length=32, validate=validate.Length(min=1))
    name = Text(max_length=100, validate=validate.Length(min=1))
    address = Text(max_length=200, validate=validate.Length(min=1))
    phone = Text(allow_none=True, max_length=32)
    village = Text(max_length=100, validate=validate.Length(min=1))
    category = fields.Enum(Category, by_value=True)
    group_code = Text(allow_none=True, max_length=32)
    notes = Text(allow_none=True, max_length=2000)
    location = fields.Nested(LocationIn)
    responsible_id = Id()


class AccountListArgs(KeysetArgs):
    station_id = Id()
    territory_id = Id()
    in_territory = fields.Boolean(metadata={"description": "false: accounts in no territory"})
    responsible_id = Id()
    village = Text(max_length=100)
    category = fields.Enum(Category, by_value=True)
    arrears_min = Money()
    arrears_max = Money()
    overdue_days_min = fields.Integer(validate=validate.Range(min=0, max=36500))
    as_of = Day(metadata={"description": "Arrears and days overdue as of this date"})
    bbox = fields.String(
        metadata={
            "description": "min_lon,min_lat,max_lon,max_lat (WGS-84)",
            "example": "110.2,34.0,110.4,34.2",
        }
    )
    near_lon = Longitude()
    near_lat = Latitude()
    radius_m = fields.Integer(validate=validate.Range(min=1, max=MAX_RADIUS_M))
    system = fields.Enum(
        CoordSystem,
        by_value=True,
        load_default=CoordSystem.WGS84,
        metadata={"description": "Coordinate system of bbox and near_lon/near_lat"},
    )
    q = Text(
        max_length=100,
        validate=validate.Length(min=1),
        metadata={"description": "Name, number or address contains"},
    )
    sort = fields.Enum(
        AccountSort,
        by_value=True,
        metadata={
            "description": "id (default), -arrears / arrears (principal owed), -days_overdue / "
            "days_overdue (oldest unpaid bill, to as_of), distance (from near_lon/near_lat; "
            "the default with them). Pages after the first: the cursor of X-Next-Cursor"
        },
    )
    cursor = fields.String(
        validate=validate.Length(max=80),
        metadata={"description": "Cursor of a sorted list: X-Next-Cursor of the previous page"},
    )

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        near = [k for k in ("near_lon", "near_lat", "radius_m") if k in data]
        if near and len(near) != 3:
            raise ValidationError("near_lon, near_lat and radius_m go together.", "radius_m")
        by_id = data.get("sort", AccountSort.DISTANCE if near else AccountSort.ID) is AccountSort.ID
        if data.get("sort") is AccountSort.DISTANCE and not near:
            raise ValidationError("sort=distance needs near_lon, near_lat and radius_m.", "sort")
        if data.get("after") is not None and not by_id:
            raise ValidationError("A sorted list pages with cursor, not after.", "after")
        if "cursor" in data and by_id:
            raise ValidationError("A list by id pages with after, not cursor.", "cursor")
        if "bbox" in data:
            data["bbox"] = parse_bbox(data["bbox"])
        if (
            "arrears_min" in data
            and "arrears_max" in data
            and data["arrears_min"] > data["arrears_max"]
        ):
            raise ValidationError("arrears_min is above arrears_max.", "arrears_min")


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``min_lon,min_lat,max_lon,max_lat`` validated: finite, in range, ordered."""
    try:
        parts = [float(p) for p in text.split(",")]
    except ValueError:
        raise ValidationError(
            "bbox is four numbers: min_lon,min_lat,max_lon,max_lat.", "bbox"
        ) from None
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
        raise ValidationError("bbox is four numbers: min_lon,min_lat,max_lon,max_lat.", "bbox")
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationError("bbox out of range or min above max.", "bbox")
    return min_lon, min_lat, max_lon, max_lat


class FeatureSchema(Schema):
    type = fields.String(dump_default="Feature")
    id = fields.Integer()
    geometry = fields.Dict()
    properties = fields.Dict()


class FeatureCollectionSchema(Schema):
    """An RFC 7946 FeatureCollection; coordinates are [lon, lat] WGS-84."""

    type = fields.String(dump_default="FeatureCollection")
    features = fields.List(fields.Nested(FeatureSchema))


class HistoryArgs(Schema):
    on = Day(metadata={"description": "Only the row covering this local date"})


class ResponsibilitySchema(Schema):
    account_id = fields.Integer(dump_only=True)
    collector_id = fields.Integer(dump_only=True)
    valid_from = Day(dump_only=True)
    valid_to = Day(dump_only=True, allow_none=True)
    assigned_by = fields.Integer(dump_only=True, allow_none=True)


def account_feature(account: Any) -> dict[str, Any]:
    """One account as a GeoJSON Feature."""
    data = AccountSchema().dump(account)
    loc = data.pop("location")
    return {
        "type": "Feature",
        "id": data["id"],
        "geometry": {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]},
        "properties": data,
    }


class ImportForm(Schema):
    """The multipart body of an import: the file and how to read and apply it."""

    file = Upload(required=True, metadata={"description": ".csv (UTF-8 or GB18030) or .xlsx"})
    station_id = Id(load_default=None)
    system = fields.Enum(
        CoordSystem,
        by_value=True,
        load_default=CoordSystem.WGS84,
        metadata={"description": "Coordinate system of rows without a 'system' column value"},
    )
    dry_run = fields.Boolean(
        load_default=True,
        metadata={"description": "Report what the import would do, write nothing (default)"},
    )
    mode = fields.Enum(
        ImportMode,
        by_value=True,
        load_default=ImportMode.CREATE,
        metadata={
            "description": "`create` (default): new accounts only, a number that exists in the "
            "station is a row error; `upsert`: existing accounts are updated too"
        },
    )


class RowErrorSchema(Schema):
    row = fields.Integer()
    field = fields.String()
    message = fields.String()


class FieldChangeSchema(Schema):
    from_ = fields.Raw(attribute="from", data_key="from", allow_none=True)
    to = fields.Raw(allow_none=True)


class RowChangeSchema(Schema):
    row = fields.Integer()
    number = fields.String()
    account_id = fields.Integer()
    fields_ = fields.Dict(
        attribute="fields",
        data_key="fields",
        keys=fields.String(),
        values=fields.Nested(FieldChangeSchema),
        metadata={"description": "Each changed column: its value now and after the import"},
    )


class ImportReportSchema(Schema):
    dry_run = fields.Boolean()
    mode = fields.Enum(ImportMode, by_value=True)
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    approximate = fields.Integer(
        metadata={
            "description": "New accounts without coordinates placed at their village's "
            "gazetteer point (location_quality approximate)"
        }
    )
    error_count = fields.Integer()
    errors = fields.List(fields.Nested(RowErrorSchema))
    changes = fields.List(
        fields.Nested(RowChangeSchema),
        metadata={"description": "The accounts the import updates (the first 1,000)"},
    )
