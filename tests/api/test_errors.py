"""One error format: every failure is RFC 9457 problem+json and changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from api import create_app
from api.config import TestConfig
from core.models import RefreshToken, Role
from tests.conftest import TEST_DATABASE_URL

PROBLEM = "application/problem+json"


def _is_problem(resp, status):
    assert resp.status_code == status, resp.data
    assert resp.content_type == PROBLEM
    body = resp.json
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert body["title"] and body["detail"]
    return body


def test_malformed_json_is_a_400_problem_and_stores_nothing(client, session):
    """A body that is not JSON answers 400 problem+json and issues no token."""
    before = session.scalar(select(func.count()).select_from(RefreshToken))
    resp = client.post("/api/auth/login", data="{not json", content_type="application/json")
    _is_problem(resp, 400)
    assert session.scalar(select(func.count()).select_from(RefreshToken)) == before


def test_wrong_types_list_field_errors(client):
    """Wrong types answer 422 with the offending fields under errors."""
    body = _is_problem(client.post("/api/auth/login", json={"username": 12, "password": []}), 422)
    assert set(body["errors"]["json"]) == {"username", "password"}


def test_unknown_fields_are_refused(client):
    """An unknown field is refused (422), not ignored."""
    resp = client.post("/api/auth/login", json={"username": "a", "password": "b", "role": "admin"})
    body = _is_problem(resp, 422)
    assert body["errors"]["json"] == {"role": ["Unknown field."]}


def test_control_characters_are_refused(client):
    """NUL and control characters in text answer 422 instead of a database error."""
    body = _is_problem(
        client.post("/api/auth/login", json={"username": "a\x00b", "password": "x"}), 422
    )
    assert "username" in body["errors"]["json"]


def test_unknown_url_is_a_404_problem(client):
    """An unknown URL answers 404 problem+json."""
    _is_problem(client.get("/api/no-such-thing"), 404)


def test_wrong_method_is_a_405_problem_with_allow(client):
    """A wrong method answers 405 problem+json and keeps the Allow header."""
    resp = client.delete("/api/health")
    _is_problem(resp, 405)
    assert "GET" in resp.headers["Allow"]


def test_unexpected_error_is_a_500_problem_without_internals(engine):
    """An unexpected exception answers 500 problem+json and leaks no internals."""
    app = create_app(TestConfig, DATABASE_URL=TEST_DATABASE_URL)

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret connection string postgresql://user:pw@host")

    try:
        resp = app.test_client().get("/api/boom")
    finally:
        app.extensions["db_engine"].dispose()
    body = _is_problem(resp, 500)
    assert "secret" not in resp.get_data(as_text=True) and "pw@" not in body["detail"]


def test_json_body_of_problem_is_utf8(client, factory):
    """Problems and data keep Chinese text readable (UTF-8, not escaped)."""
    st = factory.station()
    sup = factory.user(Role.SUPERVISOR, st)
    acc = factory.account(st, name="王建国")
    resp = client.get(f"/api/accounts/{acc.id}", headers=factory.token(sup, client))
    assert "王建国".encode() in resp.data


def test_a_json_endpoint_answers_415_to_another_media_type(client, session):
    """A text/plain body to a JSON endpoint answers 415, not per-field 'Missing data'."""
    before = session.scalar(select(func.count()).select_from(RefreshToken))
    resp = client.post(
        "/api/auth/login", data='{"username": "a", "password": "b"}', content_type="text/plain"
    )
    body = _is_problem(resp, 415)
    assert "application/json" in body["detail"]
    assert session.scalar(select(func.count()).select_from(RefreshToken)) == before


def test_a_deeply_nested_json_body_is_a_400(client, session):
    """5,000 levels of nesting sent to the login without a token answer 400, not 500."""
    before = session.scalar(select(func.count()).select_from(RefreshToken))
    for body in ("[" * 5000 + "]" * 5000, '{"a": ' * 5000 + "1" + "}" * 5000):
        resp = client.post("/api/auth/login", data=body, content_type="application/json")
        _is_problem(resp, 400)
    assert session.scalar(select(func.count()).select_from(RefreshToken)) == before
