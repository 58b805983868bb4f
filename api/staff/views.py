"""Staff: users of a station, one-time password tokens, password changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from marshmallow import RAISE

from api.auth.jwt import current_scope, current_user_record
from api.db import get_session
from api.smorest import Blueprint
from api.staff.schemas import (
    PasswordChange,
    PasswordSet,
    StaffCreate,
    StaffCreated,
    StaffListArgs,
    StaffPatch,
    StaffSchema,
    TokenOut,
)
from core.errors import Invalid, NotFound
from core.models import User
from core.scope import get_scoped
from core.users import admin
from core.users.tokens import set_password, use_token

blp = Blueprint("staff", __name__, url_prefix="/api", description="Staff and passwords")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _dump(users: list[User]) -> list[User]:
    """Attach each user's assignments (and whether they need a new collector)."""
    found = admin.assignments(get_session(), [u.id for u in users])
    for u in users:
        a = found[u.id]
        u.assignments = a  # type: ignore[attr-defined]
        u.needs_new_collector = not u.active and (a.accounts + a.territories) > 0  # type: ignore[attr-defined]
    return users


@blp.route("/users")
class Users(MethodView):
    @jwt_required()
    @blp.arguments(StaffListArgs, location="query", unknown=RAISE)
    @blp.response(200, StaffSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """The staff in scope (a collector sees themselves)."""
        users = admin.list_staff(get_session(), current_scope(), args.get("station_id"))
        return _dump(list(users))

    @jwt_required()
    @blp.arguments(StaffCreate)
    @blp.response(201, StaffCreated)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a user (admins: anyone; supervisors: collectors of their station). The
        answer carries a one-time ``password_token`` for the new user to set a password."""
        session = get_session()
        user, token = admin.create_staff(
            session, current_app.extensions["passwords"], current_scope(), body, _now()
        )
        session.commit()
        _dump([user])
        user.password_token = token  # type: ignore[attr-defined]
        return user


@blp.route("/users/<int(max=2147483647):user_id>")
class UserById(MethodView):
    @jwt_required()
    @blp.response(200, StaffSchema)
    def get(self, user_id: int) -> Any:
        """One user in scope, with what they are responsible for."""
        user = get_scoped(get_session(), User, user_id, current_scope())
        if user is None:
            raise NotFound("user")
        return _dump([user])[0]

    @jwt_required()
    @blp.arguments(StaffPatch)
    @blp.response(200, StaffSchema)
    def patch(self, body: dict[str, Any], user_id: int) -> Any:
        """Rename, disable (``active: false``: their tokens stop at once) or re-enable a
        user; admins also change roles (never above their own) and stations."""
        session = get_session()
        user = admin.update_staff(session, current_scope(), user_id, body)
        session.commit()
        return _dump([user])[0]


@blp.route("/users/<int(max=2147483647):user_id>/password-token")
class UserPasswordToken(MethodView):
    @jwt_required()
    @blp.response(201, TokenOut)
    def post(self, user_id: int) -> Any:
        """A new one-time token for the user to set a password (older tokens stop working)."""
        session = get_session()
        token = admin.reset_token(session, current_scope(), user_id, _now())
        session.commit()
        return {"user_id": user_id, "password_token": token}


@blp.route("/auth/password")
class OwnPassword(MethodView):
    @jwt_required()
    @blp.arguments(PasswordChange)
    @blp.response(204)
    def post(self, body: dict[str, Any]) -> None:
        """Change one's own password (also the forced change after an assigned one); every
        session ends, log in again."""
        user = current_user_record()
        passwords = current_app.extensions["passwords"]
        if not passwords.verify(user.password_hash, body["current_password"]):
            raise Invalid({"current_password": ["Wrong password."]})
        set_password(passwords, user, body["new_password"])
        get_session().commit()


@blp.route("/auth/password/reset")
class PasswordReset(MethodView):
    @blp.doc(security=[])
    @blp.arguments(PasswordSet)
    @blp.response(204)
    def post(self, body: dict[str, Any]) -> None:
        """Set a password with a one-time token handed over by a supervisor or admin."""
        session = get_session()
        use_token(
            session,
            current_app.extensions["passwords"],
            body["token"],
            body["new_password"],
            _now(),
        )
        session.commit()
