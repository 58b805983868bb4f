"""The OR-Tools side of the planner, one concern per module (the only OR-Tools importers).

| module | role |
|---|---|
| ``_ortools_model`` | the routing model: dimensions, windows, breaks, disjunctions, pins |
| ``_ortools_params`` | search configurations and OR-Tools search parameters |
| ``_ortools_search`` | one search: model, first solution, iterated local search |
| ``_ortools_engine`` | the model as the iterated local search sees it (polish, restore) |
| ``_ortools_read`` | reading an assignment back (routes, schedules, breaks) |

This module only re-exports what the rest of ``routing`` (and the benchmarks) use.
"""

from routing._ortools_model import mandatory_penalty as mandatory_penalty
from routing._ortools_params import CONFIGS as CONFIGS
from routing._ortools_params import SearchConfig as SearchConfig
from routing._ortools_read import RawResult as RawResult
from routing._ortools_search import search as search

__all__ = ["CONFIGS", "RawResult", "SearchConfig", "mandatory_penalty", "search"]
