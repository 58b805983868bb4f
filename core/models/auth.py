"""Refresh-token families and revoked access tokens (rotation with reuse detection)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, created_at_column


class RefreshToken(Base):
    """One issued refresh token. Using it again past the reuse interval revokes its whole
    family (api/auth/tokens.rotate_refresh)."""

    __tablename__ = "refresh_token"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    family: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime] = created_at_column()
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class RevokedAccessToken(Base):
    """Access tokens revoked before expiry (logout); rows may be purged after ``expires_at``."""

    __tablename__ = "revoked_access_token"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime] = created_at_column()


class PasswordToken(Base):
    """A one-time token to set a password (new staff, or a reset handed over by a supervisor).

    Only its SHA-256 is stored; it works once, before ``expires_at``.
    """

    __tablename__ = "password_token"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = created_at_column()
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
