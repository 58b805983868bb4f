"""Test data builders: small, explicit, inside the test's transaction."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from geoalchemy2.elements import WKTElement
from sqlalchemy.orm import Session

from core.models import (
    Account,
    AccountResponsibility,
    Bill,
    Category,
    County,
    Role,
    Station,
    Territory,
    User,
)
from core.users.staff import NewUser, create_user

_seq = itertools.count(1)
PASSWORD = "secret-pass-1"
# A point near the demo county (Luonan, Shaanxi), WGS-84 (lon, lat).
BASE = (110.30, 34.14)


def point(lon: float, lat: float) -> WKTElement:
    return WKTElement(f"POINT({lon} {lat})", srid=4326)


class Factory:
    def __init__(self, session: Session, app: Any) -> None:
        self.session = session
        self.app = app
        self._county: County | None = None

    def county(self) -> County:
        if self._county is None:
            self._county = County(code=f"T-CTY-{next(_seq)}", name="测试县供电公司")
            self.session.add(self._county)
            self.session.flush()
        return self._county

    def station(self, depot: tuple[float, float] = BASE, **kw: Any) -> Station:
        n = next(_seq)
        station = Station(
            county_id=self.county().id,
            code=kw.pop("code", f"T-ST-{n}"),
            name=kw.pop("name", f"测试供电所{n}"),
            depot=point(*depot),
            timezone="Asia/Shanghai",
            service_radius_m=kw.pop("service_radius_m", 40_000),
            **kw,
        )
        self.session.add(station)
        self.session.flush()
        return station

    def user(self, role: Role | str, *stations: Station, **kw: Any) -> User:
        role = Role(role)
        n = next(_seq)
        user = create_user(
            self.session,
            self.app.extensions["passwords"],
            NewUser(
                username=kw.pop("username", f"{role.value}-{n}"),
                password=kw.pop("password", PASSWORD),
                role=role,
                display_name=kw.pop("display_name", f"测试{role.value}{n}"),
                station_codes=tuple(s.code for s in stations),
                home=kw.pop("home", None),
            ),
        )
        return user

    def account(
        self,
        station: Station,
        responsible: User | None = None,
        lonlat: tuple[float, float] = BASE,
        **kw: Any,
    ) -> Account:
        n = next(_seq)
        account = Account(
            station_id=station.id,
            number=kw.pop("number", f"T{n:010d}"),
            name=kw.pop("name", f"张三{n}"),
            address=kw.pop("address", f"测试村{n}号"),
            phone=kw.pop("phone", "13800000000"),
            village=kw.pop("village", "测试村"),
            category=kw.pop("category", Category.RESIDENTIAL),
            location=point(*lonlat),
            responsible_id=responsible.id if responsible else None,
            **kw,
        )
        self.session.add(account)
        self.session.flush()
        if responsible is not None:
            self.session.add(
                AccountResponsibility(
                    account_id=account.id,
                    collector_id=responsible.id,
                    valid_from=dt.date(2020, 1, 1),
                )
            )
            self.session.flush()
        return account

    def bill(self, account: Account, period: dt.date, amount: str, due: dt.date) -> Bill:
        bill = Bill(account_id=account.id, period=period, amount=Decimal(amount), due_date=due)
        self.session.add(bill)
        self.session.flush()
        return bill

    def territory(
        self, station: Station, wkt: str, *collectors: User, name: str = "片区"
    ) -> Territory:
        t = Territory(
            station_id=station.id,
            name=name,
            area=WKTElement(wkt, srid=4326),
            collectors=list(collectors),
        )
        self.session.add(t)
        self.session.flush()
        return t

    def token(self, user: User, client: Any) -> dict[str, str]:
        """Authorization header for ``user``, obtained through the real login endpoint."""
        resp = client.post(
            "/api/auth/login", json={"username": user.username, "password": PASSWORD}
        )
        assert resp.status_code == 200, resp.json
        return {"Authorization": f"Bearer {resp.json['access_token']}"}
