"""Creating users and collector profiles (used by the CLI, the demo and the API)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from geoalchemy2.elements import WKTElement
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, Invalid
from core.models import CollectorProfile, Role, Station, TravelMode, User
from core.users.passwords import Passwords


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    role: Role
    display_name: str
    station_codes: tuple[str, ...] = ()
    home: tuple[float, float] | None = None  # (lon, lat), WGS-84
    travel_mode: TravelMode = TravelMode.MOTORBIKE
    phone: str | None = None
    shift: tuple[dt.time, dt.time] = (dt.time(8, 0), dt.time(17, 30))


def create_user(session: Session, passwords: Passwords, new: NewUser) -> User:
    if session.scalars(select(User).where(User.username == new.username)).first():
        raise Conflict(f"User {new.username!r} already exists.")
    stations = []
    for code in new.station_codes:
        station = session.scalars(select(Station).where(Station.code == code)).one_or_none()
        if station is None:
            raise Invalid({"station": [code]}, f"Unknown station code {code!r}.", location=None)
        stations.append(station)
    if new.role is not Role.ADMIN and not stations:
        raise Invalid({}, "Supervisors and collectors belong to at least one station.")
    user = User(
        username=new.username,
        display_name=new.display_name,
        password_hash=passwords.hash(new.password),
        role=new.role,
        stations=stations,
    )
    if new.role is Role.COLLECTOR:
        user.profile = CollectorProfile(
            phone=new.phone,
            home=WKTElement(f"POINT({new.home[0]} {new.home[1]})", srid=4326) if new.home else None,
            travel_mode=new.travel_mode,
            shift_start=new.shift[0],
            shift_end=new.shift[1],
        )
    session.add(user)
    session.flush()
    return user
