"""Online channel endpoints: a payment notice, and a kiosk/bank CSV file import."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from flask import g, request
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy.orm import Session

from api.auth.jwt import current_scope
from api.batch import BatchOutSchema, batch_answer
from api.db import get_session
from api.errors import Problem
from api.money.channels import ChannelRowSchema, parse_csv
from api.money.schemas import ChannelReceiptSchema, PaymentOutSchema, result_body
from api.money.views import blp
from api.ratelimit import rate_limit
from core.errors import Rejected
from core.models import Channel, Role
from core.models.channels import ChannelClient
from core.money import channel_clients
from core.money import payments as service
from core.scope import Scope, require_staff

_ONLINE = [c.value for c in sorted(service.ONLINE_CHANNELS)]
_STATUS_CODE = {
    service.Status.CREATED: 201,
    service.Status.REPLAYED: 200,
    service.Status.QUARANTINED: 202,
}


class OnlineChannel(fields.String):
    """An online channel's name (``prepaid`` is none: only the server draws prepaid money)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.OneOf(_ONLINE), metadata={"enum": _ONLINE}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Channel:
        return Channel(super()._deserialize(value, attr, data, **kwargs))


class NoticeSchema(ChannelRowSchema):
    """A payment notice from an online channel (Alipay, WeChat, bank, kiosk, prepaid)."""

    channel = OnlineChannel(required=True)


class ImportArgs(Schema):
    channel = OnlineChannel(required=True)


def _online(channel: Channel) -> None:
    if channel not in service.ONLINE_CHANNELS:
        raise Problem(422, f"{channel.value} is not an online channel.", errors={"channel": ["?"]})


_SIGNED = [
    {"in": "header", "name": "X-Channel-Client", "required": True, "schema": {"type": "string"}},
    {
        "in": "header",
        "name": "X-Channel-Timestamp",
        "required": True,
        "schema": {"type": "string"},
        "description": "Unix seconds; refused beyond 5 minutes either way (replay window)",
    },
    {
        "in": "header",
        "name": "X-Channel-Signature",
        "required": True,
        "schema": {"type": "string"},
        "description": 'hex HMAC-SHA256 of "<timestamp>." + the raw body under the key',
    },
]


def signed_by_channel(view: Callable[..., Any]) -> Callable[..., Any]:
    """Authenticate the request as a channel client (before its body is read): 401 when
    the client, the timestamp or the signature does not check out, without saying which."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        headers = request.headers
        found = channel_clients.verify(
            get_session(),
            headers.get("X-Channel-Client", ""),
            headers.get("X-Channel-Timestamp", ""),
            headers.get("X-Channel-Signature", ""),
            request.get_data(cache=True),
            time.time(),
        )
        if found is None:
            raise Problem(401, "A channel client's valid, fresh signature is required.")
        g.channel_client = found
        return view(*args, **kwargs)

    return wrapper


@blp.route("/channels/notices")
class SignedNotices(MethodView):
    @signed_by_channel
    @blp.arguments(NoticeSchema)
    @blp.response(201, ChannelReceiptSchema)
    @blp.alt_response(200, schema=ChannelReceiptSchema, description="The same transaction again")
    @blp.alt_response(202, schema=ChannelReceiptSchema, description="Quarantined for a supervisor")
    @blp.doc(security=[], parameters=_SIGNED)
    def post(self, body: dict[str, Any]) -> Any:
        """A channel client's payment notice, signed with its key (no staff token): stored
        once per (channel, transaction id); the channel must be the client's own."""
        session = get_session()
        client: ChannelClient = g.channel_client
        channel = body.pop("channel")
        if channel.value != client.channel:
            raise Problem(403, "A channel client sends its own channel's notices only.")
        scope = Scope(client.user_id, Role.ADMIN, frozenset())
        inp = service.channel_input(session, scope, channel, **body)
        result = service.record_payment(session, scope, inp)
        session.commit()
        return result_body(result), _STATUS_CODE[result.status]


@blp.route("/payments/notifications")
class Notifications(MethodView):
    @jwt_required()
    @blp.arguments(NoticeSchema)
    @blp.response(201, PaymentOutSchema)
    @blp.alt_response(200, schema=PaymentOutSchema, description="The same transaction again")
    @blp.alt_response(202, schema=PaymentOutSchema, description="Quarantined for a supervisor")
    def post(self, body: dict[str, Any]) -> Any:
        """An online channel's notice typed in from a statement by an admin, once per
        (channel, transaction id). Channels themselves send POST /api/channels/notices."""
        session = get_session()
        scope = current_scope()
        if not scope.is_admin:
            raise Problem(403, "Notices come from channel clients; admins may enter one by hand.")
        channel = body.pop("channel")
        _online(channel)
        inp = service.channel_input(session, scope, channel, **body)
        result = service.record_payment(session, scope, inp)
        session.commit()
        return result_body(result), _STATUS_CODE[result.status]


@blp.route("/payments/import")
class Import(MethodView):
    @jwt_required()
    @blp.arguments(ImportArgs, location="query")
    @blp.response(200, BatchOutSchema)
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "channel_txn_id,account_number,amount,paid_at\n"
                    "2026040912345,T0000000001,80.00,2026-04-09T10:00:00+08:00\n",
                }
            },
        }
    )
    def post(self, args: dict[str, Any]) -> Any:
        """Import a kiosk or bank file (text/csv); each row is created, replayed, rejected
        or quarantined, and a re-imported file adds nothing."""
        session = get_session()
        scope = current_scope()
        require_staff(scope)
        rate_limit("import", scope.user_id)
        channel = args["channel"]
        _online(channel)
        try:
            rows = parse_csv(request.get_data(as_text=True))
        except ValidationError as error:
            raise Problem(
                422, "The file is not valid.", errors=error.normalized_messages()
            ) from None
        return batch_answer([_row(session, scope, channel, i, row) for i, row in enumerate(rows)])


def _row(session: Session, scope: Scope, channel: Channel, index: int, row: Any) -> dict[str, Any]:
    if isinstance(row, ValidationError):
        errors = row.normalized_messages()
        return {"index": index, "status": "rejected", "reason": "invalid", "errors": errors}
    inp = service.channel_input(session, scope, channel, **row)
    result = service.record_item(session, scope, inp)
    session.commit()
    if isinstance(result, Rejected):
        return {"index": index, "id": str(inp.id), "status": "rejected", "reason": result.code}
    reason = result.quarantine.reason if result.quarantine is not None else None
    return {"index": index, "id": str(inp.id), "status": result.status.value, "reason": reason}
