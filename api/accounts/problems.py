"""Map the account/territory services' exceptions to problem+json responses."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from api.errors import problem_response
from geo.failures import ConflictError, InvalidInput, Missing, NotAllowed


def register(blp: Blueprint) -> None:
    """Install the mappings app-wide (the exception classes are ours alone)."""

    @blp.app_errorhandler(InvalidInput)
    def _invalid(error: InvalidInput) -> Any:
        return problem_response(422, error.detail, errors={error.location: error.errors})

    @blp.app_errorhandler(Missing)
    def _missing(error: Missing) -> Any:
        return problem_response(404, f"No such {error.what}.")

    @blp.app_errorhandler(ConflictError)
    def _conflict(error: ConflictError) -> Any:
        return problem_response(409, str(error))

    @blp.app_errorhandler(NotAllowed)
    def _not_allowed(error: NotAllowed) -> Any:
        return problem_response(403, str(error))
