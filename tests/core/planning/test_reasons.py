"""Every reason the planner can give has a sentence for the supervisor's screen."""

from core.planning.draft import REASON_HELP
from routing import Reason


def test_every_routing_reason_is_explained() -> None:
    """A new ``routing.Reason`` without help text would show its raw code to supervisors."""
    assert {r.value for r in Reason} - set(REASON_HELP) == set()
