"""flask-smorest with the project's error format wired into its single error hook."""

from __future__ import annotations

import http
from typing import Any

import flask_smorest
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from api import errors


class Api(flask_smorest.Api):  # type: ignore[misc]
    ERROR_SCHEMA = errors.ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        return errors.handle_http_exception(error)

    def _register_responses(self) -> None:
        # As flask-smorest does, but every documented error is problem+json.
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, errors.PROBLEM_MIME)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, errors.PROBLEM_MIME)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """The project's blueprint type (one place to add conventions later)."""


api = Api()
