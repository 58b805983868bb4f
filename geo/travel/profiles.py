"""Per-mode travel parameters shared by the great-circle and road-network providers.

Defaults are for collectors on winding mountain roads (Qinling, Yunnan, Guizhou style
counties), not for highways. ``speed_kmh`` is the average speed per kilometre *of road*
(bends, climbs, village centres, livestock, stops to ask the way), so the great-circle
provider divides the detoured distance by it and the road provider divides edge lengths
by it; both then agree on what a road kilometre costs.

=========  =========  ==========  ==============  ========
mode       speed      overhead    access speed    one-way
=========  =========  ==========  ==============  ========
motorbike  30 km/h    60 s        10 km/h         obeyed
car        35 km/h    180 s       4.5 km/h (on    obeyed
                                  foot)
walk       4.0 km/h   30 s        4.0 km/h        ignored
=========  =========  ==========  ==============  ========

Why these values:

* motorbike 30 km/h: the usual vehicle of rural collectors; on single-lane mountain roads
  with hairpins, 25-35 km/h is typical door-to-door, faster in valleys, slower on climbs.
* car 35 km/h: a little faster on paved county roads, but no faster on village lanes,
  and it cannot use the narrowest tracks; the longer ``overhead_s`` is for parking where
  the road is one lane wide and walking to the door.
* walk 4.0 km/h: Tobler's hiking function gives about 5 km/h on the flat and 3-3.5 km/h
  on a 10-15 % grade; 4.0 is a middle value for mixed valley paths.
* ``overhead_s`` is a fixed cost per leg (between two different points): stop, park,
  find the household. It is not service time at the door, which the planner adds.
* ``access_speed_kmh`` is used for the bit between a point and the road network (the
  snapping distance): walking from a parked car, riding a farm track on a motorbike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from geo.modes import TravelMode

# osm2pgrouting default mapconfig tag ids (highway=...), used to keep cars and motorbikes
# off paths that they cannot use.
TAG_PEDESTRIAN = 114
TAG_PATH = 117
TAG_CYCLEWAY = 118
TAG_FOOTWAY = 119
TAG_BRIDLEWAY = 120
TAG_STEPS = 122


@dataclass(frozen=True)
class ModeProfile:
    """Travel parameters for one mode.

    Attributes
    ----------
    speed_kmh
        Average speed per road kilometre, km/h.
    overhead_s
        Fixed seconds added to every leg between two different points.
    access_speed_kmh
        Speed between a point and its nearest road vertex, km/h.
    directed
        Whether one-way restrictions apply (``False`` for walking).
    excluded_tags
        osm2pgrouting ``tag_id`` values this mode cannot use (road provider only).
    """

    speed_kmh: float
    overhead_s: float
    access_speed_kmh: float
    directed: bool = True
    excluded_tags: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not 0.5 <= self.speed_kmh <= 200.0:
            raise ValueError("speed_kmh must be between 0.5 and 200")
        if not 0.5 <= self.access_speed_kmh <= 200.0:
            raise ValueError("access_speed_kmh must be between 0.5 and 200")
        if not 0.0 <= self.overhead_s <= 3600.0:
            raise ValueError("overhead_s must be between 0 and 3600")
        if any(not isinstance(t, int) or isinstance(t, bool) for t in self.excluded_tags):
            raise TypeError("excluded_tags must be integers")

    @property
    def speed_mps(self) -> float:
        """Road speed in metres per second."""
        return self.speed_kmh / 3.6

    @property
    def access_speed_mps(self) -> float:
        """Access speed in metres per second."""
        return self.access_speed_kmh / 3.6

    def describe(self) -> str:
        """Return a stable text form, used in provider cache keys."""
        tags = ",".join(str(t) for t in sorted(self.excluded_tags))
        return (
            f"v={self.speed_kmh:g},o={self.overhead_s:g},a={self.access_speed_kmh:g},"
            f"d={int(self.directed)},x={tags}"
        )


DEFAULT_PROFILES: Mapping[TravelMode, ModeProfile] = MappingProxyType(
    {
        TravelMode.MOTORBIKE: ModeProfile(
            speed_kmh=30.0,
            overhead_s=60.0,
            access_speed_kmh=10.0,
            excluded_tags=frozenset({TAG_PEDESTRIAN, TAG_FOOTWAY, TAG_STEPS}),
        ),
        TravelMode.CAR: ModeProfile(
            speed_kmh=35.0,
            overhead_s=180.0,
            access_speed_kmh=4.5,
            excluded_tags=frozenset(
                {TAG_PEDESTRIAN, TAG_PATH, TAG_CYCLEWAY, TAG_FOOTWAY, TAG_BRIDLEWAY, TAG_STEPS}
            ),
        ),
        TravelMode.WALK: ModeProfile(
            speed_kmh=4.0, overhead_s=30.0, access_speed_kmh=4.0, directed=False
        ),
    }
)
"""Mountain-road defaults; see the module docstring for the reasoning."""


def profile_for(profiles: Mapping[TravelMode, ModeProfile], mode: TravelMode) -> ModeProfile:
    """Return the profile of ``mode``.

    Raises
    ------
    KeyError
        If ``profiles`` has no entry for ``mode``.
    """
    try:
        return profiles[TravelMode(mode)]
    except KeyError:
        raise KeyError(f"no travel profile for mode {mode!r}") from None


def describe_profiles(profiles: Mapping[TravelMode, ModeProfile]) -> str:
    """Return a stable text form of all profiles, used in provider cache keys."""
    return ";".join(f"{m.value}:{profiles[m].describe()}" for m in sorted(profiles))
