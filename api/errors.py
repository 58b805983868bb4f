"""One error format for every failure: RFC 9457 ``application/problem+json``.

The core raises its domain errors (:mod:`core.errors`); :data:`DOMAIN_PROBLEMS` is the
one table that turns each into a problem. The HTTP layer itself raises :class:`Problem`
for what only HTTP knows (authentication, media types, preconditions). Views never
build error bodies and never catch a domain error to translate it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, json, request
from marshmallow import INCLUDE, Schema, fields
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from core.errors import (
    Busy,
    Conflict,
    DomainError,
    Gone,
    Invalid,
    NotAllowed,
    NotFound,
    Rejected,
)
from core.planning.exclusive import JobRunning

log = logging.getLogger(__name__)
PROBLEM_MIME = "application/problem+json"

# Stable ``type`` URIs per kind of problem (relative references, RFC 9457 section 3.1.1).
_TYPE_BY_STATUS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    410: "gone",
    412: "precondition-failed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    428: "precondition-required",
    429: "too-many-requests",
    500: "internal-error",
    503: "unavailable",
}


def problem_type(slug: str) -> str:
    return f"/problems/{slug}"


class ProblemSchema(Schema):
    """RFC 9457 problem details, with field errors under ``errors``."""

    class Meta:
        # Extension members (RFC 9457 section 3.2), e.g. money errors' ``code``.
        unknown = INCLUDE

    type = fields.String(metadata={"example": "/problems/validation-error"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    errors = fields.Dict(metadata={"description": "Field errors, by location then field"})


class Problem(Exception):
    """A failure the client can act on; carries everything the response needs."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        title: str | None = None,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug or _TYPE_BY_STATUS.get(status, "error")
        self.title = title
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}


def _job_running(error: JobRunning) -> Problem:
    # 409 with the running job's link, where the client follows it instead.
    if error.job_id is None:
        return Problem(409, error.detail)
    link = f"/api/jobs/{error.job_id}"
    return Problem(
        409, error.detail, extra={"job_id": str(error.job_id), "job": link},
        headers={"Location": link},
    )


def _rejected(error: Rejected) -> Problem:
    # A refused money request: a stable code, and never the stored record.
    return Problem(
        409 if error.conflict else 422,
        error.detail,
        slug=f"money/{error.code.replace('_', '-')}",
        extra={"code": error.code},
    )


#: The one mapping from domain errors to problems; a subclass takes its nearest
#: ancestor's row. "Not yours" and "does not exist" are both NotFound: 404.
DOMAIN_PROBLEMS: dict[type[DomainError], Callable[[Any], Problem]] = {
    NotFound: lambda e: Problem(404, e.detail),
    Invalid: lambda e: Problem(422, e.detail, errors=e.field_errors()),
    Conflict: lambda e: Problem(409, e.detail, extra=e.extra),
    JobRunning: _job_running,
    NotAllowed: lambda e: Problem(403, e.detail),
    Gone: lambda e: Problem(410, e.detail),
    Rejected: _rejected,
    Busy: lambda e: Problem(503, e.detail, headers={"Retry-After": str(e.retry_after)}),
}


def problem_of(error: DomainError) -> Problem:
    """The problem a domain error answers with (its class's row, else its ancestor's)."""
    for cls in type(error).__mro__:
        to_problem = DOMAIN_PROBLEMS.get(cls)
        if to_problem is not None:
            return to_problem(error)
    return Problem(500, "An unexpected error occurred. It has been logged.")


def problem_response(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    from http import HTTPStatus

    body: dict[str, Any] = {
        "type": problem_type(slug or _TYPE_BY_STATUS.get(status, "error")),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    resp = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIME)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def handle_problem(error: Problem) -> Response:
    return problem_response(
        error.status,
        error.detail,
        slug=error.slug,
        title=error.title,
        errors=error.errors,
        headers=error.headers,
        extra=error.extra,
    )


def handle_domain_error(error: DomainError) -> Response:
    """A refused request changes nothing: its transaction is rolled back first."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()
    return handle_problem(problem_of(error))


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    headers = dict(data.get("headers") or {})
    # Keep Allow on 405 and similar headers werkzeug computed for us.
    for k, v in error.get_headers():
        if k.lower() != "content-type":
            headers.setdefault(k, v)
    detail = data.get("message") or _detail_for(status, error, errors)
    return problem_response(status, detail, errors=errors, headers=headers)


def _detail_for(status: int, error: HTTPException, errors: Any) -> str:
    if status == 400 and isinstance(errors, dict) and errors.get("json"):
        return "The request body is not valid JSON."
    if status in (400, 422) and errors:  # 400: OGC API query parameters (api/ogc)
        return "The request is not valid: see errors."
    if status == 500:
        return "An unexpected error occurred. It has been logged."
    return error.description or "Error."


def handle_unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    # No internals leak: the body never carries the exception text.
    return problem_response(500, "An unexpected error occurred. It has been logged.")


def handle_database_unavailable(error: Exception) -> Response:
    """The database dropped or refused the connection (restart, failover): 503, retry.

    The pool pings connections before use, so the next request gets a fresh one; the
    request that met the failure changed nothing (its transaction died with it).
    """
    if isinstance(error, DBAPIError) and not (
        error.connection_invalidated or isinstance(error, OperationalError)
    ):
        return handle_unexpected(error)
    log.warning("database unavailable on %s %s: %s", request.method, request.path, error)
    return problem_response(
        503, "The database is briefly unavailable; retry.", headers={"Retry-After": "1"}
    )


def init_app(app: Flask) -> None:
    # OperationalError: connection lost or refused, server shutting down or starting up
    # (also statement and lock timeouts, for which a retry is the right answer too).
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(DBAPIError, handle_database_unavailable)
    app.register_error_handler(Problem, handle_problem)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
