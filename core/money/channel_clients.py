"""Channel clients: register one (a service user and a signing key) and check a
notice's signature. The HTTP wiring is ``api/money/channel_auth.py``.

A notice is signed ``hex(HMAC-SHA256(secret, "<unix seconds>." + body))``; a timestamp
outside the replay window (5 minutes either way) is refused, so a captured request
cannot be sent again later (within the window a resend is a replay of the same
transaction: stored once).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, Invalid
from core.models import Role, User
from core.models.channels import ChannelClient
from core.users.passwords import Passwords

__all__ = ["REPLAY_WINDOW_S", "register", "signature", "verify"]

REPLAY_WINDOW_S = 300
CLIENT_CHANNELS = ("alipay", "wechat", "bank", "kiosk")


@dataclass(frozen=True)
class Registered:
    client: ChannelClient
    #: Shown once, to configure the channel's side; stored for checking signatures.
    secret: str


def register(session: Session, passwords: Passwords, name: str, channel: str) -> Registered:
    """A new channel client acting as a service user that can never log in."""
    if channel not in CLIENT_CHANNELS:
        raise Invalid({"channel": [f"One of {', '.join(CLIENT_CHANNELS)}."]})
    if session.scalar(select(ChannelClient.id).where(ChannelClient.name == name)) is not None:
        raise Conflict(f"Channel client {name!r} already exists.")
    user = User(
        username=f"channel:{name}"[:64],
        display_name=f"{channel} notices ({name})",
        password_hash=passwords.hash(secrets.token_urlsafe(48)),
        role=Role.ADMIN,
        active=False,
    )
    session.add(user)
    session.flush()
    secret = secrets.token_hex(32)
    client = ChannelClient(name=name, channel=channel, secret=secret, user_id=user.id)
    session.add(client)
    session.flush()
    return Registered(client, secret)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a channel client sends with ``body`` at ``timestamp``."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    session: Session, name: str, timestamp: str, sent: str, body: bytes, now: float
) -> ChannelClient | None:
    """The active client ``name`` if ``sent`` is its signature of ``body`` at a
    ``timestamp`` inside the replay window, else None (never says which part failed)."""
    client = session.scalars(
        select(ChannelClient).where(ChannelClient.name == name, ChannelClient.active.is_(True))
    ).one_or_none()
    try:
        fresh = abs(now - int(timestamp)) <= REPLAY_WINDOW_S
    except ValueError:
        fresh = False
    expected = signature(client.secret if client else "-", timestamp, body)
    if client is None or not fresh or not hmac.compare_digest(expected, sent):
        return None
    return client
