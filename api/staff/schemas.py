"""Staff schemas: users, one-time password tokens, password changes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.accounts.schemas import Id
from api.auth.schemas import StationRefSchema
from api.schema_fields import Text
from core.models import Role

_USERNAME = validate.Regexp(
    r"^[A-Za-z0-9_.-]{3,64}$", error="3-64 letters, digits, '.', '-' or '_'."
)
_PASSWORD = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))
_TOKEN_DOC = {
    "description": "One-time token to set the password (valid 72 h): hand it over in person"
}


class AssignmentsSchema(Schema):
    accounts = fields.Integer(dump_only=True)
    territories = fields.Integer(dump_only=True)


class StaffSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String(dump_only=True)
    display_name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    active = fields.Boolean(dump_only=True)
    must_change_password = fields.Boolean(dump_only=True)
    stations = fields.List(fields.Nested(StationRefSchema), dump_only=True)
    assignments = fields.Nested(AssignmentsSchema, dump_only=True)
    needs_new_collector = fields.Boolean(
        dump_only=True,
        metadata={"description": "Disabled but still responsible for accounts or territories"},
    )


class StaffCreated(StaffSchema):
    password_token = fields.String(dump_only=True, metadata=_TOKEN_DOC)


class StaffCreate(Schema):
    username = Text(required=True, max_length=64, validate=_USERNAME)
    display_name = Text(required=True, max_length=100, validate=validate.Length(min=1))
    role = fields.Enum(Role, by_value=True, required=True)
    station_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=20))
    phone = Text(max_length=32, allow_none=True)


class StaffPatch(Schema):
    display_name = Text(max_length=100, validate=validate.Length(min=1))
    active = fields.Boolean(metadata={"description": "false disables: tokens stop at once"})
    role = fields.Enum(Role, by_value=True, metadata={"description": "Admins only"})
    station_ids = fields.List(
        Id(), validate=validate.Length(max=20), metadata={"description": "Admins only"}
    )


class StaffListArgs(Schema):
    station_id = Id()


class TokenOut(Schema):
    user_id = fields.Integer(dump_only=True)
    password_token = fields.String(dump_only=True, metadata=_TOKEN_DOC)


class PasswordChange(Schema):
    current_password = _PASSWORD
    new_password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=256),
        metadata={"description": "At least 10 characters, not common, not the username"},
    )


class PasswordSet(Schema):
    token = Text(required=True, max_length=64, validate=validate.Length(min=1))
    new_password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=256),
        metadata={"description": "At least 10 characters, not common, not the username"},
    )
