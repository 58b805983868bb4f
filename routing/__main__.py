"""Command line: ``python -m routing solve PROBLEM.json --time-limit S [--seed N]``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from routing.errors import ProblemError
from routing.io import request_from_json, solution_to_dict
from routing.params import SolveParams
from routing.solver import solve


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 solved, 2 bad problem or arguments)."""
    parser = argparse.ArgumentParser(prog="python -m routing", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("solve", help="solve a JSON problem, print the JSON solution")
    cmd.add_argument("problem", help="problem JSON file ('-' for standard input)")
    cmd.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    cmd.add_argument("--seed", type=int, default=0, help="search seed (default 0)")
    cmd.add_argument(
        "--solution-limit",
        type=int,
        default=None,
        help="deterministic budget: improving solutions per search",
    )
    cmd.add_argument("--workers", type=int, default=2, help="parallel searches (default 2)")
    args = parser.parse_args(argv)
    try:
        if args.problem == "-":
            text = sys.stdin.read()
        else:
            with open(args.problem, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as error:
        print(f"error: cannot read {args.problem}: {error.strerror}", file=sys.stderr)
        return 2
    try:
        problem, initial = request_from_json(text)
        params = SolveParams(
            time_limit=args.time_limit,
            seed=args.seed,
            solution_limit=args.solution_limit,
            workers=args.workers,
            initial_routes=initial,
        )
    except ProblemError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    json.dump(solution_to_dict(solve(problem, params)), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
