"""Login, token refresh (rotation), logout and who-am-I."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, after_this_request, current_app, request
from flask.views import MethodView
from flask_jwt_extended import (
    get_jwt,
    get_jwt_request_location,
    jwt_required,
    set_refresh_cookies,
    unset_refresh_cookies,
)

from api.auth import tokens as service
from api.auth.jwt import current_user_record
from api.auth.schemas import LoginSchema, MeSchema, TokenSchema
from api.db import get_session
from api.errors import Problem
from api.smorest import Blueprint

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Authentication")


def _token_body(pair: service.TokenPair, *, cookie: bool = False) -> dict[str, Any]:
    """The tokens; for a web page the refresh token goes in a cookie, not the body."""
    body = {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "token_type": "Bearer",
        "expires_in": pair.expires_in,
    }
    if cookie:

        @after_this_request
        def _set(response: Response) -> Response:
            set_refresh_cookies(response, pair.refresh_token)
            return response

        del body["refresh_token"]
    return body


@blp.route("/login")
class Login(MethodView):
    @blp.doc(security=[])
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Log in with a username and password; returns an access and a refresh token."""
        # Counted before the password check: a parallel burst cannot slip past the limit,
        # and a flood from one address is refused before argon2 runs.
        throttle = current_app.extensions["login_throttle"]
        wait = throttle.admit(body["username"], request.remote_addr)
        if wait:
            raise Problem(
                429, "Too many login attempts; try again later.", headers={"Retry-After": str(wait)}
            )
        session = get_session()
        user = service.authenticate(
            session, current_app.extensions["passwords"], body["username"], body["password"]
        )
        throttle.succeeded(body["username"])
        pair = service.issue_tokens(session, user, device_id=body["device_id"])
        session.commit()
        return _token_body(pair, cookie=body["cookie"])


@blp.route("/refresh")
class Refresh(MethodView):
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.response(200, TokenSchema)
    @jwt_required(refresh=True)
    def post(self) -> dict[str, Any]:
        """Trade a refresh token (as the Bearer token, or a web page's cookie with its
        X-CSRF-TOKEN header) for a new pair; each works once (again only within the reuse
        interval of its first trade, for an answer lost on the way)."""
        session = get_session()
        grace = dt.timedelta(seconds=current_app.config["REFRESH_REUSE_INTERVAL_S"])
        pair = service.rotate_refresh(
            session, current_user_record(), get_jwt()["jti"], reuse_interval=grace
        )
        session.commit()
        return _token_body(pair, cookie=get_jwt_request_location() == "cookies")


@blp.route("/logout")
class Logout(MethodView):
    @blp.response(204)
    @jwt_required()
    def post(self) -> None:
        """Revoke this access token and every refresh token of its login (and clear a web
        page's refresh cookie)."""

        @after_this_request
        def _unset(response: Response) -> Response:
            unset_refresh_cookies(response)
            return response

        claims = get_jwt()
        session = get_session()
        service.logout(session, claims["jti"], claims["exp"], claims.get("fam"))
        session.commit()


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    @jwt_required()
    def get(self) -> Any:
        """The logged-in user, their role and stations."""
        return current_user_record()
