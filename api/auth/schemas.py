from __future__ import annotations

from marshmallow import Schema, fields

from api.schema_fields import Text


class LoginSchema(Schema):
    username = Text(required=True, max_length=64)
    password = fields.String(required=True, load_only=True, validate=lambda s: 0 < len(s) <= 256)
    device_id = Text(load_default=None, max_length=64)
    cookie = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Web pages: keep the refresh token in an httpOnly cookie (sent "
            "only to /api/auth/) and answer without it; refresh with the X-CSRF-TOKEN header "
            "set to the csrf_refresh_token cookie"
        },
    )


class TokenSchema(Schema):
    access_token = fields.String(dump_only=True)
    refresh_token = fields.String(dump_only=True)
    token_type = fields.String(dump_only=True, dump_default="Bearer")
    expires_in = fields.Integer(dump_only=True)


class StationRefSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)


class MeSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String(dump_only=True)
    display_name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    stations = fields.List(fields.Nested(StationRefSchema), dump_only=True)
    must_change_password = fields.Boolean(
        dump_only=True, metadata={"description": "Every other request answers 403 until changed"}
    )
