"""One-time password tokens: a supervisor hands one to a new or locked-out collector.

No e-mail is needed. Only the token's SHA-256 is stored; it works once, before it expires,
and a newer token for the same user replaces the older ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.errors import Invalid
from core.models import PasswordToken, User
from core.users.passwords import Passwords
from core.users.policy import check_password

#: How long a handed-over token stays valid.
TOKEN_TTL = dt.timedelta(hours=72)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, by: int | None, now: dt.datetime) -> str:
    """A new one-time token for ``user`` (older unused ones stop working)."""
    session.execute(delete(PasswordToken).where(PasswordToken.user_id == user.id))
    token = secrets.token_urlsafe(24)
    session.add(
        PasswordToken(
            token_hash=_digest(token), user_id=user.id, created_by=by, expires_at=now + TOKEN_TTL
        )
    )
    session.flush()
    return token


def use_token(
    session: Session, passwords: Passwords, token: str, new_password: str, now: dt.datetime
) -> User:
    """Set the password of the token's user; the token is spent. Every older session ends."""
    row = session.scalars(
        select(PasswordToken).where(PasswordToken.token_hash == _digest(token)).with_for_update()
    ).one_or_none()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise Invalid({"token": ["Unknown, used or expired token: ask your supervisor."]})
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise Invalid({"token": ["Unknown, used or expired token: ask your supervisor."]})
    set_password(passwords, user, new_password)
    row.used_at = now
    return user


def set_password(passwords: Passwords, user: User, new_password: str) -> None:
    """The user's own new password (policy checked); older tokens stop working."""
    check_password(new_password, user.username)
    user.password_hash = passwords.hash(new_password)
    user.must_change_password = False
    user.token_version += 1
