"""Refresh tokens' first trades moved into the past: a second trade past the reuse
interval (``REFRESH_REUSE_INTERVAL_S``) without waiting for it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.models import RefreshToken


def age_refresh_trades(session: Session, seconds: float) -> None:
    """Move every spent refresh token's first trade ``seconds`` into the past."""
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.used_at.is_not(None))
        .values(used_at=RefreshToken.used_at - dt.timedelta(seconds=seconds))
    )
    session.flush()


def past_the_interval(session: Session, app: object) -> None:
    """Every spent refresh token's first trade just past the reuse interval."""
    age_refresh_trades(session, app.config["REFRESH_REUSE_INTERVAL_S"] + 1)  # type: ignore[attr-defined]
