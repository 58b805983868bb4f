"""The one table from domain errors to problem+json (``api.errors.DOMAIN_PROBLEMS``)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import core
from api.errors import DOMAIN_PROBLEMS, problem_of
from core.errors import Conflict, DomainError, Gone, Invalid, NotAllowed, NotFound, Rejected


@pytest.mark.parametrize(
    ("error", "status", "slug", "errors"),
    [
        (NotFound("plan"), 404, "not-found", None),
        (Invalid({"amount": ["Big."]}), 422, "validation-error", {"json": {"amount": ["Big."]}}),
        (Invalid({"cursor": ["Bad."]}, location="query"), 422, "validation-error", {"query": {"cursor": ["Bad."]}}),  # noqa: E501
        (Invalid({"station": ["X"]}, location=None), 422, "validation-error", {"station": ["X"]}),
        (Invalid({}, "No errors to list."), 422, "validation-error", None),
        (Conflict("Superseded."), 409, "conflict", None),
        (NotAllowed("Staff only."), 403, "forbidden", None),
        (Gone("Cursor too old."), 410, "gone", None),
        (Rejected("id_conflict", "Used."), 422, "money/id-conflict", None),
        (Rejected("already_reversed", "No.", conflict=True), 409, "money/already-reversed", None),
    ],
)
def test_each_domain_error_has_its_status_type_and_field_errors(error, status, slug, errors):
    """Each domain error answers its status, its stable type and its field errors."""
    problem = problem_of(error)
    assert (problem.status, problem.slug, problem.errors) == (status, slug, errors)
    assert problem.detail == error.detail


def test_a_rejected_money_request_carries_its_code():
    """A refused money request names its stable code as an extension member."""
    assert problem_of(Rejected("bad_split", "No.")).extra == {"code": "bad_split"}


def _domain_error_classes() -> set[type[DomainError]]:
    for info in pkgutil.walk_packages(core.__path__, "core."):
        importlib.import_module(info.name)
    found: set[type[DomainError]] = set()
    todo = [DomainError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found


def test_every_domain_error_of_the_core_has_a_row():
    """Every DomainError subclass in the core maps through the table (itself or an ancestor)."""
    classes = _domain_error_classes()
    assert {NotFound, Invalid, Conflict, NotAllowed, Gone, Rejected} <= classes
    unmapped = {c.__qualname__ for c in classes if not set(c.__mro__) & set(DOMAIN_PROBLEMS)}
    assert unmapped == set()


def test_the_handler_answers_problem_json_and_rolls_the_request_back(app, factory):
    """A domain error raised in a request answers problem+json, its writes undone."""
    from flask import g

    from api.db import get_session
    from api.errors import handle_domain_error
    from core.models import Station

    station_id = factory.station(name="before").id
    factory.session.commit()
    with app.test_request_context("/api/anything"):
        session = get_session()
        session.get(Station, station_id).name = "after"
        session.flush()
        resp = handle_domain_error(Conflict("It clashes."))
        assert g.db_session is session
        assert session.get(Station, station_id).name == "before"
    assert resp.status_code == 409
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert (body["type"], body["detail"], body["instance"]) == (
        "/problems/conflict",
        "It clashes.",
        "/api/anything",
    )
