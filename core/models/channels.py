"""Online channels as principals: each channel client signs its notices with its own key."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, created_at_column


class ChannelClient(Base):
    """A channel's notifying system (an Alipay or bank gateway): it signs each notice with
    ``secret`` (HMAC-SHA256 over a timestamp and the body). It acts as ``user_id``, a
    service user that cannot log in, so its money records name who relayed them."""

    __tablename__ = "channel_client"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    secret: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint(
            "channel IN ('alipay', 'wechat', 'bank', 'kiosk')", name="channel_online"
        ),
    )
