"""A collector's profile and absences."""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import to_shape
from marshmallow import Schema, fields, validate

from api.accounts.schemas import LocationIn
from api.schema_fields import Day, Text
from core.models import AbsenceKind
from core.users.profiles import SKILLS
from geo.modes import TravelMode


class ProfileSchema(Schema):
    user_id = fields.Integer(dump_only=True)
    phone = fields.String(dump_only=True, allow_none=True)
    home = fields.Method("_home", dump_only=True, allow_none=True)
    travel_mode = fields.String(dump_only=True)
    shift_start = fields.Time(dump_only=True)
    shift_end = fields.Time(dump_only=True)
    break_start = fields.Time(dump_only=True, allow_none=True)
    break_minutes = fields.Integer(dump_only=True)
    starts_at_home = fields.Boolean(dump_only=True)
    ends_at_home = fields.Boolean(dump_only=True, allow_none=True)
    skills = fields.List(fields.String(), dump_only=True)
    day_cap = fields.Integer(dump_only=True, allow_none=True)

    def _home(self, p: Any) -> dict[str, float] | None:
        if p.home is None:
            return None
        point = to_shape(p.home)
        return {"lon": point.x, "lat": point.y}


class ProfilePatch(Schema):
    phone = Text(max_length=32, allow_none=True)
    home = fields.Nested(LocationIn, allow_none=True)
    travel_mode = fields.Enum(TravelMode, by_value=True)
    shift_start = fields.Time()
    shift_end = fields.Time()
    break_start = fields.Time(allow_none=True)
    break_minutes = fields.Integer(strict=True, validate=validate.Range(0, 240))
    starts_at_home = fields.Boolean()
    ends_at_home = fields.Boolean(
        allow_none=True, metadata={"description": "null: where the day started"}
    )
    skills = fields.List(
        fields.String(validate=validate.OneOf(SKILLS)), validate=validate.Length(max=len(SKILLS))
    )
    day_cap = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(1, 200),
        metadata={"description": "Most stops in a day; null: as the shift allows"},
    )


class AbsenceSchema(Schema):
    id = fields.Integer(dump_only=True)
    user_id = fields.Integer(dump_only=True)
    kind = fields.Enum(AbsenceKind, by_value=True, required=True)
    first_day = Day(required=True)
    last_day = Day(required=True, metadata={"description": "Included"})
    note = Text(max_length=200, allow_none=True)


class AbsenceListArgs(Schema):
    since = Day(metadata={"description": "Only absences ending on or after this day"})
