"""flask-smorest with the project's error format wired into its single error hook."""

from __future__ import annotations

import http
import json
from typing import Any

import flask_smorest
from flask_smorest.utils import prepare_response
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import HTTPException

from api import errors


def _spec_matches_validation(_converter: Any, field: Any, ret: dict[str, Any], **_kw: Any) -> Any:
    """Make the OpenAPI say what the fields accept."""
    extra: dict[str, Any] = {}
    # A nullable nested schema: apispec's OAS 3.0 form `{"type": "object", "nullable": true}`
    # admits any object; only null is meant.
    if "anyOf" in ret:
        extra["anyOf"] = [
            {"nullable": True, "enum": [None]} if a == {"type": "object", "nullable": True} else a
            for a in ret["anyOf"]
        ]
    return extra


class Api(flask_smorest.Api):  # type: ignore[misc]
    ERROR_SCHEMA = errors.ProblemSchema

    def _init_spec(self, *args: Any, **kwargs: Any) -> None:
        super()._init_spec(*args, **kwargs)
        self.ma_plugin.converter.add_attribute_function(_spec_matches_validation)

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


# No request of this API nests deeper than this; a deeper body is refused as malformed.
MAX_JSON_DEPTH = 32


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether a decoded JSON value nests deeper than ``limit`` (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


class _Parser(FlaskParser):
    def _raw_load_json(self, req: Any) -> Any:
        # Deep nesting is malformed input (400), whether the decoder overflows its
        # recursion limit or not. The error's doc is not empty: webargs reads "" as no body.
        try:
            data = super()._raw_load_json(req)
        except RecursionError as exc:
            raise json.JSONDecodeError("JSON nested too deeply", "(body)", 0) from exc
        if _depth_exceeds(data, MAX_JSON_DEPTH):
            raise json.JSONDecodeError("JSON nested too deeply", "(body)", 0)
        return data

    def load_files(self, req: Any, schema: Any) -> Any:
        # ``files`` is the whole multipart/form-data body, its text parts included: one
        # schema documents it as one OpenAPI 3 ``requestBody`` (a second ``form`` schema
        # would become ``in: formData`` parameters, which OpenAPI 3 does not have).
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """The project's blueprint type: multipart bodies are read by one ``files`` schema."""

    ARGUMENTS_PARSER = _Parser()

    @staticmethod
    def content_etag(data: Any) -> str:
        """The ETag flask-smorest gives a dumped body: the one ``check_etag`` compares an
        ``If-Match`` with (a view that answers with its own Response sets it itself)."""
        return str(flask_smorest.Blueprint._generate_etag(data))


api = Api()
