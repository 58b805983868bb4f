"""Route planning for door-to-door collection: a prize-collecting VRP with time windows.

Pure optimisation: standard library and OR-Tools only (OR-Tools is confined to
``routing._ortools*``). Integers everywhere: seconds, metres, fen.
"""

from routing.check import check_solution as check_solution
from routing.errors import ProblemError as ProblemError
from routing.io import problem_from_dict as problem_from_dict
from routing.io import problem_to_dict as problem_to_dict
from routing.io import read_request as read_request
from routing.io import solution_from_dict as solution_from_dict
from routing.io import solution_to_dict as solution_to_dict
from routing.params import SolveParams as SolveParams
from routing.problem import Break as Break
from routing.problem import Problem as Problem
from routing.problem import Stop as Stop
from routing.problem import Vehicle as Vehicle
from routing.reasons import Reason as Reason
from routing.solution import BreakTaken as BreakTaken
from routing.solution import Route as Route
from routing.solution import Solution as Solution
from routing.solution import Status as Status
from routing.solution import Unassigned as Unassigned
from routing.solution import Visit as Visit
from routing.solver import solve as solve

__all__ = [
    "Break",
    "BreakTaken",
    "Problem",
    "ProblemError",
    "Reason",
    "Route",
    "Solution",
    "SolveParams",
    "Status",
    "Stop",
    "Unassigned",
    "Vehicle",
    "Visit",
    "check_solution",
    "problem_from_dict",
    "problem_to_dict",
    "read_request",
    "solution_from_dict",
    "solution_to_dict",
    "solve",
]
