"""Late-fee rate versions: station overrides from a future date, never retroactive."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.models import Role


def _version(station_id: int | None, days_ahead: int = 30, **kw: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "station_id": station_id,
        "effective_from": (dt.date.today() + dt.timedelta(days=days_ahead)).isoformat(),
        "residential": "0.0005",
        "other_current_year": "0.001",
        "other_earlier_years": "0.002",
        "minimum": "0.50",
    }
    body.update(kw)
    return body


def test_supervisor_adds_a_station_rate_version(client: Any, field: Any) -> None:
    """A future version for the own station is stored and listed next to the national one."""
    resp = client.post(
        "/api/money/rates", json=_version(field.station.id), headers=field.supervisor_auth
    )
    assert resp.status_code == 201 and resp.json["residential"] == "0.0005"
    listed = client.get(
        f"/api/money/rates?station_id={field.station.id}", headers=field.supervisor_auth
    ).json
    assert [(r["station_id"], r["residential"]) for r in listed] == [
        (None, "0.001"),
        (field.station.id, "0.0005"),
    ]


def test_rates_are_never_retroactive(client: Any, field: Any) -> None:
    """A version starting today or earlier is refused: amounts already due stay put."""
    resp = client.post(
        "/api/money/rates",
        json=_version(field.station.id, days_ahead=0),
        headers=field.supervisor_auth,
    )
    assert resp.status_code == 422


def test_rates_are_strings_and_bounded(client: Any, field: Any) -> None:
    """A float rate or one of 10% a day or more is refused."""
    for bad in (0.001, "0.1", "0.0000001", "1"):
        resp = client.post(
            "/api/money/rates",
            json=_version(field.station.id, residential=bad),
            headers=field.supervisor_auth,
        )
        assert resp.status_code == 422, bad


def test_only_admins_change_national_rates(client: Any, field: Any, factory: Any) -> None:
    """A supervisor may not add a national version; another station's is 404."""
    assert (
        client.post("/api/money/rates", json=_version(None), headers=field.supervisor_auth)
    ).status_code == 403
    other = factory.station()
    resp = client.post("/api/money/rates", json=_version(other.id), headers=field.supervisor_auth)
    assert resp.status_code == 404
    admin = factory.token(factory.user(Role.ADMIN), client)
    assert client.post("/api/money/rates", json=_version(None), headers=admin).status_code == 201
