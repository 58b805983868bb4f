"""A collector's profile (start and end place, shift and lunch, travel mode, skills, day
cap) and absences by date range. The planner reads both (``core.planning``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from geoalchemy2.elements import WKTElement
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.errors import Invalid, NotAllowed, NotFound
from core.models import Absence, AbsenceKind, CollectorProfile, Role, User, user_station
from core.scope import Scope, get_scoped
from core.stations.area import station_implausibility
from geo.coords import to_wgs84
from geo.modes import TravelMode

__all__ = [
    "SKILLS",
    "absences_of",
    "absent_on",
    "add_absence",
    "collector_in_scope",
    "remove_absence",
    "update_profile",
]

#: What a collector may be trusted with beyond a visit.
SKILLS = ("disconnection_notice", "qr_payment", "cash")
#: Longest absence one entry may cover.
MAX_ABSENCE_DAYS = 366


def collector_in_scope(session: Session, scope: Scope, user_id: int, *, write: bool) -> User:
    """A collector the caller may read (a collector: themselves) or, with ``write``, manage
    (their station's supervisors and admins)."""
    user = get_scoped(session, User, user_id, scope)
    if user is None or user.role is not Role.COLLECTOR:
        raise NotFound("collector")
    if write and scope.is_collector:
        raise NotAllowed("Supervisors set collectors' profiles and absences.")
    return user


def _profile(user: User) -> CollectorProfile:
    if user.profile is None:
        user.profile = CollectorProfile(travel_mode=TravelMode.MOTORBIKE, skills=[])
    return user.profile


def update_profile(session: Session, user: User, data: dict[str, Any]) -> CollectorProfile:
    """Apply a partial profile; the shift, lunch and home are checked together."""
    prof = _profile(user)
    for key in (
        "phone",
        "travel_mode",
        "shift_start",
        "shift_end",
        "break_start",
        "break_minutes",
        "starts_at_home",
        "ends_at_home",
        "day_cap",
    ):
        if key in data:
            setattr(prof, key, data[key])
    if "skills" in data:
        prof.skills = sorted(set(data["skills"]))
    if "home" in data:
        prof.home = None if data["home"] is None else _home(user, data["home"])  # type: ignore[assignment]
    errors: dict[str | int, object] = {}
    if prof.shift_end <= prof.shift_start:
        errors["shift_end"] = ["The shift ends before it starts."]
    elif prof.break_start is not None and not prof.shift_start <= prof.break_start < prof.shift_end:
        errors["break_start"] = ["The lunch break starts outside the shift."]
    if prof.home is None and (prof.starts_at_home or prof.ends_at_home):
        errors["home"] = ["Starting or ending at home needs the home's location."]
    if errors:
        raise Invalid(errors)
    session.flush()
    return prof


def _home(user: User, loc: dict[str, Any]) -> WKTElement:
    lon, lat = to_wgs84(loc["lon"], loc["lat"], loc["system"])
    for station in user.stations:  # the home must be plausible for one of their stations
        if station_implausibility(station, (lon, lat)) is None:
            return WKTElement(f"POINT({lon!r} {lat!r})", srid=4326)
    raise Invalid({"home": ["Outside every service area of the collector's stations."]})


def add_absence(session: Session, scope: Scope, user: User, data: dict[str, Any]) -> Absence:
    """A new absence; one overlapping another of the same collector is refused."""
    first, last = data["first_day"], data["last_day"]
    if last < first:
        raise Invalid({"last_day": ["The absence ends before it starts."]})
    if (last - first).days >= MAX_ABSENCE_DAYS:
        raise Invalid({"last_day": [f"At most {MAX_ABSENCE_DAYS} days in one entry."]})
    clash = session.scalars(
        select(Absence).where(
            Absence.user_id == user.id, Absence.first_day <= last, Absence.last_day >= first
        )
    ).first()
    if clash is not None:
        raise Invalid(
            {
                "first_day": [
                    f"Overlaps the {clash.kind.value} from {clash.first_day} to "
                    f"{clash.last_day} (absence {clash.id})."
                ]
            }
        )
    absence = Absence(
        user_id=user.id,
        kind=AbsenceKind(data["kind"]),
        first_day=first,
        last_day=last,
        note=data.get("note"),
        created_by=scope.user_id,
    )
    session.add(absence)
    session.flush()
    return absence


def absences_of(session: Session, user_id: int, since: dt.date | None = None) -> Sequence[Absence]:
    stmt = select(Absence).where(Absence.user_id == user_id).order_by(Absence.first_day)
    if since is not None:
        stmt = stmt.where(Absence.last_day >= since)
    return session.scalars(stmt).all()


def remove_absence(session: Session, user: User, absence_id: int) -> None:
    done = session.execute(
        delete(Absence).where(Absence.id == absence_id, Absence.user_id == user.id)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        raise NotFound("absence")


def absent_on(
    session: Session, station_id: int, day: dt.date, among: Collection[int] | None = None
) -> dict[int, Absence]:
    """The station's collectors absent on ``day``, with their absence."""
    stmt = (
        select(Absence)
        .join(user_station, user_station.c.user_id == Absence.user_id)
        .where(
            user_station.c.station_id == station_id,
            Absence.first_day <= day,
            Absence.last_day >= day,
        )
    )
    if among is not None:
        stmt = stmt.where(Absence.user_id.in_(list(among)))
    return {a.user_id: a for a in session.scalars(stmt)}
