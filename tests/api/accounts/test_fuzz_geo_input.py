"""Fuzzed geo input: arbitrary JSON in coordinates, polygons and filters never causes a 5xx."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import Role

NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 0.0, -0.0, 90, -90, 180, -180, 110.3, 34.14, 1e308]),
)
JSON = st.recursive(
    st.none() | st.booleans() | NUMBERS | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=30,
)
POSITION = st.lists(NUMBERS, min_size=0, max_size=3)
RING = st.lists(POSITION, min_size=0, max_size=6)
POLYGON = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["Polygon", "MultiPolygon", "Point", "polygon"]),
        "coordinates": st.one_of(
            st.lists(RING, max_size=3), st.lists(st.lists(RING, max_size=2), max_size=2), JSON
        ),
    }
)
_numbers = itertools.count(1)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def manager(factory, client):
    station = factory.station()
    return station, factory.token(factory.user(Role.SUPERVISOR, station), client)


@FUZZ
@given(
    location=st.one_of(
        JSON,
        st.fixed_dictionaries(
            {
                "lon": NUMBERS,
                "lat": NUMBERS,
                "system": st.sampled_from(["wgs84", "gcj02", "bd09", "x"]),
            }
        ),
    )
)
def test_fuzzed_account_locations_answer_201_or_422(manager, client, location):
    """Any JSON as an account location answers 201 or 422 (problem+json), never 5xx."""
    _, headers = manager
    body = {
        "number": f"F{next(_numbers)}",
        "name": "甲",
        "address": "乙",
        "village": "丙",
        "category": "residential",
        "location": location,
    }
    resp = client.post("/api/accounts", json=body, headers=headers)
    assert resp.status_code in (201, 422), resp.json
    assert resp.status_code == 201 or resp.content_type == "application/problem+json"


@FUZZ
@given(area=st.one_of(POLYGON, JSON))
def test_fuzzed_territory_polygons_answer_201_or_422(manager, client, area):
    """Any JSON as a territory area answers 201 or 422 (problem+json), never 5xx."""
    _, headers = manager
    resp = client.post("/api/territories", json={"name": "片", "area": area}, headers=headers)
    assert resp.status_code in (201, 422), resp.json


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "bbox",
                "near_lon",
                "near_lat",
                "radius_m",
                "q",
                "arrears_min",
                "overdue_days_min",
                "as_of",
                "after",
                "limit",
                "station_id",
                "category",
                "system",
            ]
        ),
        st.one_of(st.text(max_size=12), NUMBERS.map(str)),
        max_size=5,
    )
)
def test_fuzzed_list_filters_answer_200_or_422(manager, client, params):
    """Any combination of list filters answers 200 or 422, never 5xx."""
    _, headers = manager
    resp = client.get("/api/accounts", query_string=params, headers=headers)
    assert resp.status_code in (200, 422), (params, resp.json)
