"""Bad problems are refused with a ``ProblemError`` naming the field."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from routing import Problem, ProblemError, SolveParams, Stop, Vehicle, read_request


def _doc() -> dict[str, Any]:
    return {
        "durations": [[0, 60, 60], [60, 0, 60], [60, 60, 0]],
        "vehicles": [
            {
                "id": "a",
                "start": 0,
                "end": 0,
                "shift": [0, 1000],
                "breaks": [{"window": [100, 200], "duration": 30}],
            },
            {"id": "b", "start": 0, "end": None, "shift": [0, 1000]},
        ],
        "stops": [
            {"id": "s1", "location": 1, "service": 10},
            {
                "id": "s2",
                "location": 2,
                "service": 10,
                "time_windows": [[0, 50], [300, 400]],
                "prize": 70,
                "vehicles": ["a"],
            },
        ],
    }


def _set(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def test_valid_document_is_accepted() -> None:
    """The reference document parses into a problem."""
    problem, initial = read_request(_doc())
    assert len(problem.stops) == 2 and initial == {}


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        (
            ("stops", 1, "time_windows", 0),
            [200, 100],
            "stops[1].time_windows[0]",
            "end 100 before start 200",
        ),
        (("stops", 0, "service"), -5, "stops[0].service", ">= 0"),
        (("vehicles", 0, "shift"), [-1, 100], "vehicles[0].shift[0]", ">= 0"),
        (("durations", 1), [60, 0], "durations[1]", "not square"),
        (("costs",), [[0, 1], [1, 0]], "costs", "expected 3 rows"),
        (("stops", 0, "location"), 7, "stops[0].location", "unknown location index 7"),
        (("vehicles", 1, "end"), 3, "vehicles[1].end", "unknown location index 3"),
        (("stops", 0, "service"), math.nan, "stops[0].service", "expected an integer"),
        (("stops", 0, "service"), 1.5, "stops[0].service", "expected an integer"),
        (("stops", 0, "service"), True, "stops[0].service", "expected an integer"),
        (("durations", 0, 1), 6.0, "durations[0][1]", "expected an integer"),
        (("durations", 1, 2), math.nan, "durations[1][2]", "expected an integer"),
        (("durations", 1, 2), True, "durations[1][2]", "expected an integer"),
        (("durations", 1, 2), "60", "durations[1][2]", "expected an integer"),
        (("durations", 2, 0), -1, "durations[2][0]", ">= 0"),
        (("costs",), [[0, 1, 1], [1, 0, 10**13], [1, 1, 0]], "costs[1][2]", "<="),
        (("costs",), [[0, 1, 1], [1, 0, -(2**70)], [1, 1, 0]], "costs[1][2]", ">= 0"),
        (("stops", 1, "id"), "s1", "stops[1].id", "duplicate id 's1'"),
        (("vehicles", 1, "id"), "a", "vehicles[1].id", "duplicate id 'a'"),
        (("stops", 1, "vehicles"), ["zz"], "stops[1].vehicles", "unknown vehicle id 'zz'"),
        (("stops", 0, "colour"), "red", "stops[0].colour", "unknown key"),
        (("vehicles", 0, "breaks", 0, "when"), 3, "vehicles[0].breaks[0].when", "unknown key"),
        (("extra",), 1, "extra", "unknown key"),
        (
            ("vehicles", 0, "breaks", 0, "window"),
            [900, 2000],
            "vehicles[0].breaks[0].window",
            "outside the shift",
        ),
        (("stops", 1, "time_windows"), [[0, 50], [40, 60]], "stops[1].time_windows", "overlap"),
        (("stops", 1, "prize"), 10**13, "stops[1].prize", "<="),
        (("vehicles", 0, "pinned"), ["nope"], "vehicles[0].pinned[0]", "unknown stop id"),
        (("vehicles", 1, "pinned"), ["s1", "s1"], "vehicles[1].pinned[1]", "already pinned"),
        (("initial_routes",), {"zz": []}, "initial_routes.zz", "unknown vehicle id"),
        (("vehicles",), [], "vehicles", "at least one vehicle"),
        (("stops", 0, "skills"), "meter", "stops[0].skills", "expected a list"),
    ],
)
def test_bad_field_is_named(path: tuple[Any, ...], value: Any, field: str, words: str) -> None:
    """Each kind of bad input raises ``ProblemError`` with the field path and the cause."""
    with pytest.raises(ProblemError) as caught:
        read_request(_set(_doc(), path, value))
    assert caught.value.field == field
    assert words in caught.value.message
    assert isinstance(caught.value, ValueError)


def test_missing_required_key_is_named() -> None:
    """A vehicle without ``shift`` names ``vehicles[0].shift``."""
    doc = _doc()
    del doc["vehicles"][0]["shift"]
    with pytest.raises(ProblemError, match=r"vehicles\[0\]\.shift: missing"):
        read_request(doc)


def test_pinned_prefix_that_cannot_fit_the_shift_is_refused() -> None:
    """Pinned stops are facts: a prefix that overruns the shift is bad data."""
    doc = _set(_doc(), ("vehicles", 0, "pinned"), ["s1", "s2"])
    doc["vehicles"][0]["shift"] = [0, 100]
    doc["vehicles"][0]["breaks"] = []
    with pytest.raises(ProblemError, match="within the shift") as caught:
        read_request(doc)
    assert caught.value.field == "vehicles[0].pinned"


def test_dataclasses_validate_on_their_own() -> None:
    """Building the dataclasses directly validates too."""
    with pytest.raises(ProblemError, match="time_windows"):
        Stop("x", 0, time_windows=((5, 1),))
    with pytest.raises(ProblemError, match="shift"):
        Vehicle("v", 0, 0, (10, 5))
    with pytest.raises(ProblemError, match="durations"):
        Problem(((0, 1),), (Vehicle("v", 0, 0, (0, 5)),), ())


def test_overflowing_numbers_are_refused() -> None:
    """Costs and prizes whose sums could overflow int64 are refused up front."""
    big = 10**12
    matrix = [[0, big], [big, 0]]
    stops = tuple(Stop(f"s{i}", 1, prize=big) for i in range(2000))
    with pytest.raises(ProblemError, match="overflow"):
        Problem(matrix, (Vehicle("v", 0, 0, (0, big)),), stops)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"time_limit": 0}, "time_limit"),
        ({"time_limit": math.inf}, "time_limit"),
        ({"seed": -1}, "seed"),
        ({"solution_limit": 0}, "solution_limit"),
        ({"workers": 0}, "workers"),
    ],
)
def test_bad_solve_params_are_refused(kwargs: dict[str, Any], field: str) -> None:
    """Solve parameters are validated too, naming the parameter."""
    with pytest.raises(ProblemError) as caught:
        SolveParams(**kwargs)
    assert caught.value.field == field
