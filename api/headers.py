"""Small request-scoped helpers."""

from __future__ import annotations

from flask import Response, after_this_request


def after_this_request_headers(headers: dict[str, str]) -> None:
    @after_this_request
    def _add(response: Response) -> Response:
        for k, v in headers.items():
            response.headers[k] = v
        return response
