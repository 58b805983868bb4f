"""flask-jwt-extended wiring: every token failure answers 401 in problem+json."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g
from flask_jwt_extended import JWTManager, current_user, verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError

from api.auth import tokens as service
from api.auth.token_cache import ENTRY_TTL_S, TokenCache
from api.auth.tokens import TokenUser
from api.db import autocommit_connection, get_session
from api.errors import Problem, problem_response
from core.models import User
from core.scope import Scope

#: Tokens already verified in full by this process, by (key, issuer, audience, token):
#: their claims and expiry. Cleared when it holds ``_VERIFIED_MAX``.
_VERIFIED: dict[tuple[str, str, str, str], tuple[float, dict[str, Any]]] = {}
_VERIFIED_MAX = 20_000


class _VerifiedOnce(JWTManager):
    """flask-jwt-extended parses a token four times per request (its claims unverified for
    the key callback, its header, then verified, then its header again), each parse
    checking every character in Python. A token this process verified before (a phone
    sends the same one for its day's requests until it expires) gets its claims back
    from memory until its ``exp``; a new, expired or cookie (CSRF) token goes the
    library's way. The revocation check still runs on every request."""

    def _decode_jwt_from_config(
        self, encoded_token: str, csrf_value: Any = None, allow_expired: bool = False
    ) -> dict[str, Any]:
        if csrf_value is not None or allow_expired:
            return dict(super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired))
        config = current_app.config
        key = (
            str(config["JWT_SECRET_KEY"]),
            str(config.get("JWT_DECODE_ISSUER")),
            str(config.get("JWT_DECODE_AUDIENCE")),
            encoded_token,
        )
        known = _VERIFIED.get(key)
        if known is not None and time.time() < known[0]:
            return dict(known[1])
        claims: dict[str, Any] = super()._decode_jwt_from_config(encoded_token)
        exp = claims.get("exp")
        if isinstance(exp, int | float):
            if len(_VERIFIED) >= _VERIFIED_MAX:
                _VERIFIED.clear()
            _VERIFIED[key] = (float(exp), dict(claims))
        return claims


jwt = _VerifiedOnce()


def _unauthorized(detail: str) -> Any:
    return problem_response(401, detail, headers={"WWW-Authenticate": "Bearer"})


@jwt.token_in_blocklist_loader
def _revoked(_header: dict[str, Any], payload: dict[str, Any]) -> bool:
    """The token's check (the user lookup below takes its answer): from the token cache
    when its entry still holds, else one statement outside the request's transaction
    (the token's user, its version, its own and its login's revocation, the user's
    stations), then kept in the cache for the token's next requests."""
    user = _check(payload)
    g.arrears_token_user = user
    return user is None


def _check(payload: dict[str, Any]) -> TokenUser | None:
    jti, user_id = payload.get("jti"), service.token_user_id(payload)
    if user_id is None:
        return None
    if payload.get("type", "access") != "access" or not isinstance(jti, str):
        return _check_in_database(payload)
    cache: TokenCache = current_app.extensions["token_cache"]
    also: Callable[[int], list[str]] | None = g.pop("arrears_keys_with_token", None)
    keys = also(user_id) if also else []
    read = cache.read(user_id, jti, keys)
    if keys and read.stamp is not None:  # for the view's cache, read in the same MGET
        g.arrears_read_with_token = dict(zip(keys, read.extra, strict=True))
    if read.user is not None:
        return read.user
    user = _check_in_database(payload)
    if user is not None and read.stamp is not None:
        ttl = min(ENTRY_TTL_S, int(payload.get("exp", 0) - time.time()))
        cache.store(jti, read.stamp, user, ttl)
    return user


def _check_in_database(payload: dict[str, Any]) -> TokenUser | None:
    with autocommit_connection() as connection:
        return service.check_token(connection, payload)


@jwt.user_lookup_loader
def _load_user(_header: dict[str, Any], payload: dict[str, Any]) -> TokenUser | None:
    user: TokenUser | None = g.pop("arrears_token_user", None)  # checked just above
    if user is not None and str(user.id) == str(payload.get("sub")):
        return user
    return None


def current_user_record() -> User:
    """The token's user as its database row, for the few views that change or show it
    (the token check reads only what every request needs: :class:`TokenUser`)."""
    checked: TokenUser = current_user
    user = get_session().get(User, checked.id)
    if user is None:  # deleted since the check, a moment ago
        raise Problem(401, "Authentication required.")
    return user


@jwt.user_lookup_error_loader
def _lookup_error(_header: dict[str, Any], _payload: dict[str, Any]) -> Any:
    return _unauthorized("The token's user no longer exists or its rights changed.")


@jwt.expired_token_loader
def _expired(_header: dict[str, Any], _payload: dict[str, Any]) -> Any:
    return _unauthorized("The token has expired.")


@jwt.invalid_token_loader
def _invalid(reason: str) -> Any:
    return _unauthorized("The token is not valid.")


@jwt.unauthorized_loader
def _missing(reason: str) -> Any:
    return _unauthorized("Authentication required: send a Bearer access token.")


@jwt.revoked_token_loader
def _revoked_answer(_header: dict[str, Any], _payload: dict[str, Any]) -> Any:
    return _unauthorized("The token has been revoked.")


@jwt.needs_fresh_token_loader
def _not_fresh(_header: dict[str, Any], _payload: dict[str, Any]) -> Any:
    return _unauthorized("A fresh login is required.")


@jwt.token_verification_failed_loader
def _verification_failed(_header: dict[str, Any], _payload: dict[str, Any]) -> Any:
    return _unauthorized("The token is not valid.")


def init_app(app: Flask) -> None:
    jwt.init_app(app)

    @app.before_request
    def _no_identity_yet() -> None:
        # ``g`` outlives a request when an app context was pushed around it (tests, CLI):
        # each request starts unverified, with no scope.
        for name in (
            "arrears_scope",
            "_jwt_extended_jwt",
            "arrears_keys_with_token",
            "arrears_read_with_token",
        ):
            g.pop(name, None)

    # PyJWT errors that escape flask-jwt-extended's own handlers (e.g. a bad
    # algorithm header) are token problems too, never 422 or 500.
    @app.errorhandler(PyJWTError)
    def _pyjwt(_e: PyJWTError) -> Any:
        return _unauthorized("The token is not valid.")

    @app.errorhandler(JWTExtendedException)
    def _jwt_ext(_e: JWTExtendedException) -> Any:
        return _unauthorized("The token is not valid.")


def current_scope() -> Scope:
    """The authenticated user's scope; raises 401 when there is no valid token.

    Resolved once per request: the token is verified once (by ``@jwt_required`` or here,
    never both) and the scope kept on ``g``; the user's stations come with the token
    check's one statement (:func:`api.auth.tokens.check_token`)."""
    scope: Scope | None = g.get("arrears_scope")
    if scope is not None:
        return scope
    if not g.get("_jwt_extended_jwt"):  # not verified yet in this request
        verify_jwt_in_request()
    user: TokenUser | None = current_user
    if user is None:
        raise Problem(401, "Authentication required.")
    if user.must_change_password:
        raise Problem(
            403,
            "Change your password first (POST /api/auth/password).",
            slug="password-change-required",
        )
    scope = Scope(user.id, user.role, user.station_ids)
    g.arrears_scope = scope
    return scope
