"""The value model's priors for one station-day, in a form a plan can keep.

The village/category priors pool the history of every account of the station with
arrears (about a second of queries on the demo county's 5,000 accounts). A plan keeps
them, unrounded, in its summary; re-planning one collector's afternoon then values only
that collector's accounts against the morning's priors, which is what makes the
collector's re-plan fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from core.planning.estimates import TypeModel
from core.planning.visit_value import BANDS, Rates


@dataclass(frozen=True)
class Priors:
    """The station's rates and each (village, category) group's rates shrunk toward them,
    and the two-type model accounts are estimated with (``core.planning.estimates``)."""

    station: Rates
    groups: Mapping[tuple[str, str], Rates]
    model: TypeModel | None = None

    def for_group(self, village: str, category: str) -> Rates:
        """The group's rates; a group unseen when the priors were made gets the station's."""
        return self.groups.get((village, category), self.station)

    def to_json(self) -> dict[str, object]:
        """Unrounded and JSON-friendly: a station form and ``[village, category, form]``s."""
        return {
            "station": _rates_json(self.station),
            "groups": [[v, c, _rates_json(r)] for (v, c), r in sorted(self.groups.items())],
            "types": None if self.model is None else self.model.to_json(),
        }

    @classmethod
    def from_json(cls, data: object) -> Priors | None:
        """The priors :meth:`to_json` wrote, or None when ``data`` is not such a form
        (a plan stored before priors were kept, or by another model version)."""
        if not isinstance(data, dict):
            return None
        try:
            station = _rates(data["station"])
            groups = {(str(v), str(c)): _rates(r) for v, c, r in data["groups"]}
            model = None if data["types"] is None else TypeModel.from_json(data["types"])
        except (KeyError, TypeError, ValueError):
            return None
        return cls(station, groups, model)


def _rates_json(rates: Rates) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(rates):
        value = getattr(rates, f.name)
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def _rates(data: Mapping[str, Any]) -> Rates:
    """Every field of :class:`Rates` must be present: a form missing one was written by
    another model version, and its numbers would not mean the same."""
    kwargs: dict[str, Any] = {}
    for f in fields(Rates):
        value = data[f.name]
        if value is None:
            kwargs[f.name] = None
        elif isinstance(value, list):
            kwargs[f.name] = tuple(float(x) for x in value)
        else:
            kwargs[f.name] = float(value)
    rates = Rates(**kwargs)
    for per_band in (rates.p_home, rates.p_home_return, rates.market):
        if per_band is not None and len(per_band) != len(BANDS):
            raise ValueError("the bands changed since these priors were made")
    return rates
