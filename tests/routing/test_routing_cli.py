"""The JSON command line: ``python -m routing solve``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from routing import problem_to_dict, read_request
from routing.__main__ import main
from routing.check import check_solution
from routing.io import solution_from_dict
from tests.support.routing import day_problem


def test_cli_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A problem written as JSON is solved and the printed solution checks out."""
    problem = day_problem(11, stops=15, vehicles=2)
    path = tmp_path / "day.json"
    path.write_text(json.dumps(problem_to_dict(problem)))
    code = main(
        ["solve", str(path), "--time-limit", "5", "--solution-limit", "20", "--workers", "1"]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"routes", "unassigned", "cost", "prize_collected", "status"}
    assert check_solution(problem, solution_from_dict(out)) == []


def test_problem_document_round_trips() -> None:
    """``problem_to_dict`` output parses back to an equal problem."""
    problem = day_problem(12, stops=10)
    assert read_request(json.loads(json.dumps(problem_to_dict(problem))))[0] == problem


def test_cli_refuses_a_bad_problem_with_exit_2(tmp_path: Path) -> None:
    """A bad problem exits 2 and names the field on stderr (real subprocess)."""
    doc = problem_to_dict(day_problem(13, stops=3))
    doc["stops"][1]["time_windows"] = [[200, 100]]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    run = subprocess.run(
        [sys.executable, "-m", "routing", "solve", str(path), "--time-limit", "1"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parents[2],
    )
    assert run.returncode == 2
    assert "stops[1].time_windows[0]: end 100 before start 200" in run.stderr
    assert run.stdout == ""


def test_cli_refuses_invalid_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Text that is not JSON exits 2 with a message."""
    path = tmp_path / "bad.json"
    path.write_text("{nope")
    assert main(["solve", str(path)]) == 2
    assert "invalid JSON" in capsys.readouterr().err
